/**
 * A date as Prisma's SQLite adapter stores DateTime columns (ISO 8601 with an explicit +00:00
 * offset), for every value written or bound by hand, so that both read alike.
 */
export function sqliteDate(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}
