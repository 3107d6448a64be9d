/**
 * Growing the typed arrays that hold per-row and per-state columns: a longer array of the same kind
 * holding the old contents at its start, the rest zero (or `fill`). Only growth paths call these.
 */
export type NumberArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float64Array;

/** A copy of `a` with room for `length` elements (never shorter than `a`); new elements are `fill`. */
export function grown<T extends NumberArray>(a: T, length: number, fill = 0): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(length, a.length));
  if (fill !== 0) b.fill(fill, a.length);
  b.set(a);
  return b;
}

/** `length` doubled until it reaches `need`. */
export function doubledUntil(length: number, need: number): number {
  let n = length * 2;
  while (n < need) n *= 2;
  return n;
}
