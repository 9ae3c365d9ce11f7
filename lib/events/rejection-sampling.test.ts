import { describe, expect, it } from "vitest";
import { RejectionSampler, type SamplingLimits } from "@/lib/events/rejection-sampling";
import type { NewRejection } from "@/lib/events/store";

const LIMITS: SamplingLimits = {
  windowMs: 60_000,
  fullPerAddress: 20,
  fullPerWindow: 200,
  sampleEvery: 100,
  sampleBodyBytes: 4096,
  maxAddresses: 3,
};

function refusal(sourceIp: string, body = "b".repeat(10_000)): NewRejection {
  return {
    receivedAt: new Date(0),
    endpoint: "/webhooks/message-status",
    method: "POST",
    reason: "malformed_token",
    detail: "d",
    httpStatus: 401,
    sourceIp,
    headers: { "user-agent": "x" },
    tokenClaims: null,
    body,
    bodyBytes: body.length,
    bodyTruncated: false,
  };
}

describe("RejectionSampler", () => {
  it("keeps the first in full, then 1 in 100 with a cut body, and counts the rest onto them and a summary", () => {
    const sampler = new RejectionSampler(LIMITS);
    const rows = Array.from({ length: 1000 }, (_, i) => sampler.admit(refusal("10.0.0.1"), i)).flat();
    expect(rows.filter((r) => r.repeats === 1 && r.body.length === 10_000)).toHaveLength(20);
    const samples = rows.filter((r) => r.repeats > 1);
    expect(samples).toHaveLength(9);
    for (const sample of samples) expect(sample).toMatchObject({ repeats: 100, bodyTruncated: true, body: "b".repeat(4096) });
    const summary = sampler.closeExpired(60_000);
    expect(summary).toEqual([expect.objectContaining({ repeats: 80, body: "", headers: {} })]);
    expect([...rows, ...summary].reduce((sum, r) => sum + r.repeats, 0)).toBe(1000);
  });

  it("caps rows kept in full across addresses, and forgets the oldest address beyond the limit with its count written", () => {
    const sampler = new RejectionSampler({ ...LIMITS, fullPerWindow: 2 });
    const rows = ["a", "b", "c", "d", "e", "f"].flatMap((ip, i) => sampler.admit(refusal(ip), i));
    // a and b in full, the others counted; 3 addresses at most, so f's arrival forgets c and writes its count.
    expect(rows.map((r) => [r.sourceIp, r.repeats])).toEqual([
      ["a", 1],
      ["b", 1],
      ["c", 1],
    ]);
    const summaries = sampler.closeExpired(60_010);
    expect(summaries.map((r) => [r.sourceIp, r.repeats])).toEqual([
      ["d", 1],
      ["e", 1],
      ["f", 1],
    ]);
  });
});
