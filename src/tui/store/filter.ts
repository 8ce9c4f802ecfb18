/** The `/` filter: keeps rows any of whose text fields contains the filter, case-insensitively. */
export function filterRows<T extends object>(rows: readonly T[], filter: string): readonly T[] {
  const f = filter.trim().toLowerCase();
  if (f === '') return rows;
  return rows.filter((r) => Object.values(r).some((v) => typeof v === 'string' && v.toLowerCase().includes(f)));
}
