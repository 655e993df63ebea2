/** Splits rows for multi-row statements (SQLite caps bound parameters; PostgreSQL at 65,535). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}
