/** A row of a list answer: its fields, absent ones undefined. */
export type Row = Record<string, string | number | undefined>;

/**
 * `rows` in the order the lists and the detail promise: by `field` (absent
 * values last either way), ties broken by id in the same direction.
 */
export function expectedOrder(rows: Row[], field: string, descending: boolean): Row[] {
  const sign = descending ? -1 : 1;
  const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows].sort((a, b) => {
    const [x, y] = [a[field], b[field]];
    if (x !== y) {
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      return sign * compare(x, y);
    }
    return sign * compare(a.id as number, b.id as number);
  });
}
