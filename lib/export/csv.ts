/**
 * CSV per RFC 4180 (comma, CRLF between records, fields quoted when they hold a quote, comma
 * or line break), with spreadsheet formula injection neutralised: a cell starting with
 * = + - @ TAB or CR gets a leading apostrophe, so no spreadsheet evaluates it (OWASP "CSV
 * Injection"). A cell that itself starts with an apostrophe gets one too, so reading back
 * is unambiguous: drop one leading apostrophe, if there is one.
 */

const DANGEROUS_START = /^[=+\-@\t\r']/;

export function neutralize(value: string): string {
  return DANGEROUS_START.test(value) ? `'${value}` : value;
}

export function csvField(value: string | number | null | undefined, { raw = false } = {}): string {
  if (value === null || value === undefined) return "";
  const text = raw ? String(value) : neutralize(String(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(fields: string[]): string {
  return `${fields.join(",")}\r\n`;
}

/** The inverse of neutralize, for tools reading our CSV back. */
export function unneutralize(value: string): string {
  return value.startsWith("'") ? value.slice(1) : value;
}
