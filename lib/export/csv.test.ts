import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { csvField, csvRow, neutralize, unneutralize } from "@/lib/export/csv";

describe("csvField", () => {
  it.each([
    ['=HYPERLINK("http://evil")', `"'=HYPERLINK(""http://evil"")"`],
    ["+1+1", "'+1+1"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tcmd", "'\tcmd"],
    ["\rcmd", `"'\rcmd"`],
    ["'quoted", "''quoted"],
  ])("neutralises %j", (value, cell) => {
    expect(csvField(value)).toBe(cell);
  });

  it("quotes quotes, commas and line breaks, and leaves plain text alone", () => {
    expect(csvField('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvField("plain text")).toBe("plain text");
    expect(csvField(null)).toBe("");
    expect(csvField(42)).toBe("42");
  });

  it("round-trips through an independent RFC 4180 parser", () => {
    const values = ["=1+2", 'héllo 🌍, "world"', "line\r\nbreak", "'already", "-", "", "@x", "normal"];
    const text = csvRow(values.map((v) => csvField(v))) + csvRow(values.map((v) => csvField(v)));
    const rows = parse(text, { relax_column_count: false });
    expect(rows).toHaveLength(2);
    expect(rows[0]!.map(unneutralize)).toEqual(values);
    for (const cell of rows[0]!) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it("neutralize and unneutralize are inverse", () => {
    for (const v of ["=a", "'b", "c", "", "''d"]) expect(unneutralize(neutralize(v))).toBe(v);
  });
});
