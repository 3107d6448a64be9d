/**
 * The typed arrays that hold per-row and per-state columns: growing them (a longer array of the same
 * kind holding the old contents at its start, the rest zero or `fill`; only growth paths call these),
 * sparse columns, and binary search in sorted ones.
 */
export type NumberArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float64Array;

/** A copy of `a` with room for `length` elements (never shorter than `a`); new elements are `fill`. */
export function grown<T extends NumberArray>(a: T, length: number, fill = 0): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(length, a.length));
  if (fill !== 0) b.fill(fill, a.length);
  b.set(a);
  return b;
}

/** The first index in [0, `end`) of ascending `sorted` holding a value >= `v` (`end` when none). */
export function lowerBound(sorted: NumberArray, v: number, end = sorted.length): number {
  let lo = 0;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** `length` doubled until it reaches `need`. */
export function doubledUntil(length: number, need: number): number {
  let n = length * 2;
  while (n < need) n *= 2;
  return n;
}

/** A typed-array constructor: by length, or as a view of a buffer. */
export type ArrayCtor<T extends NumberArray = NumberArray> = {
  new (length: number): T; new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number;
};

/**
 * Zeroed columns of `length` elements each, for per-row tables written at few rows: their memory is
 * the engine's own mapping (one WebAssembly memory), not glibc's, so the huge pages glibc may be asked
 * for (docs/ARCHITECTURE.md, "Memory") do not turn each row touched into a 2 MiB page touched; only the
 * 4 KiB pages written cost memory. Plain arrays when that memory cannot be had (over 4 GiB in all).
 */
export function sparseColumns<const C extends readonly ArrayCtor[]>(ctors: C, length: number): { [K in keyof C]: InstanceType<C[K]> } {
  let bytes = 0;
  const at: number[] = [];
  for (const c of ctors) {
    at.push(bytes);
    bytes += Math.ceil((length * c.BYTES_PER_ELEMENT) / 8) * 8;
  }
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE));
  let buffer: ArrayBuffer | undefined;
  if (pages <= MAX_WASM_PAGES) {
    try {
      buffer = new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer;
    } catch {
      buffer = undefined;
    }
  }
  return ctors.map((c, k) => (buffer ? new c(buffer, at[k], length) : new c(length))) as { [K in keyof C]: InstanceType<C[K]> };
}

const WASM_PAGE = 65536;
const MAX_WASM_PAGES = 65536;
