/**
 * A per-row column of 32-bit integers (zero until written) for a pass that writes it at rows spread
 * thinly over a large program, such as the rows near the dynamic jumps of a library.
 *
 * Its memory comes in chunks of `ROW_CHUNK` rows, allocated when a row of theirs is first written:
 * from the allocator's heap, whose pages are faulted in large blocks, instead of a column as long as
 * the program whose every 4 KiB page first written is a page fault of its own (each costs about as
 * much as reading a few thousand rows; a library's switch recovery wrote ~10,000 such pages per
 * column). Chunks cost memory only for the rows near those written, as a sparse column does.
 */
export const ROW_CHUNK_BITS = 10;
const ROW_CHUNK = 1 << ROW_CHUNK_BITS;
const ROW_CHUNK_MASK = ROW_CHUNK - 1;

export class RowChunks {
  /** the chunk holding rows [k * ROW_CHUNK, (k + 1) * ROW_CHUNK), undefined until one of them is written */
  readonly chunks: (Int32Array | undefined)[];

  constructor(rows: number) {
    this.chunks = new Array<Int32Array | undefined>(Math.ceil(rows / ROW_CHUNK)).fill(undefined);
  }

  get(row: number): number {
    const c = this.chunks[row >>> ROW_CHUNK_BITS];
    return c === undefined ? 0 : c[row & ROW_CHUNK_MASK];
  }

  set(row: number, v: number): void {
    const k = row >>> ROW_CHUNK_BITS;
    const c = this.chunks[k] ?? (this.chunks[k] = new Int32Array(ROW_CHUNK));
    c[row & ROW_CHUNK_MASK] = v;
  }
}
