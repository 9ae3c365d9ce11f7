import { describe, expect, it } from "vitest";
import type { EventRecord } from "@/lib/events/columns";
import { maskEventRecord, maskPhone, maskText } from "@/lib/export/mask";

describe("maskPhone", () => {
  it.each([
    ["447700900123", "44*******123"],
    ["14155550100", "1*******100"],
    ["+8613800138000", "+86********000"],
    ["35312345678", "353*****678"],
    ["9876543", "98**543"],
  ])("%s → %s", (input, masked) => {
    expect(maskPhone(input)).toBe(masked);
  });

  it.each([["Vonage"], ["12345"], ["0.0333"], ["52afe398-e31a-4362-8c42-beb0c3b1d098"], ["12345678901234567"]])(
    "leaves %s alone",
    (value) => {
      expect(maskPhone(value)).toBe(value);
    },
  );
});

describe("maskEventRecord", () => {
  it("masks the normalised numbers and every number inside the payload", () => {
    const record = {
      from_number: "447700900001",
      to_number: "447700900000",
      raw_body: JSON.stringify({
        from: "447700900001",
        to: "447700900000",
        context: { message_from: "447700900002" },
        whatsapp: { sender: { wa_id: "447700900003" } },
        list: ["447700900004", { n: "447700900005" }],
        text: "hello",
        usage: { price: "0.0333" },
      }),
    } as unknown as EventRecord;
    const masked = maskEventRecord(record);
    expect(masked.from_number).toBe("44*******001");
    expect(masked.to_number).toBe("44*******000");
    expect(masked.raw_body).not.toMatch(/4477009000\d\d/);
    expect(JSON.parse(masked.raw_body)).toMatchObject({
      text: "hello",
      usage: { price: "0.0333" },
      context: { message_from: "44*******002" },
    });
    expect(record.from_number).toBe("447700900001");
  });

  it("masks numbers inside free text such as a refused body", () => {
    expect(maskText('{"msisdn":"447700900123","x":"a447700900123"}')).toBe('{"msisdn":"44*******123","x":"a44*******123"}');
  });
});
