/**
 * A per-row column of 32-bit integers (zero until written) for a pass that writes it at rows spread
 * thinly over a large program, such as the rows near the dynamic jumps of a library.
 *
 * Its memory comes in small chunks of rows, allocated when a row of theirs is first written, one
 * after another in one pool (doubled when full) that a directory by chunk points into: memory first
 * written costs a page fault per 4 KiB, and a library's switch recovery writes a few rows of each of
 * thousands of windows (1024-row chunks each of its own were ~15 MiB of fresh pages for ~300,000
 * rows written; 64-row chunks hold them in ~3 MiB). The directory is a sparse column: only its
 * pages over the rows written are touched.
 */
import { doubledUntil, grown, sparseColumns } from '../typed-arrays.js';

export const ROW_CHUNK_BITS = 6;
const ROW_CHUNK = 1 << ROW_CHUNK_BITS;
const ROW_CHUNK_MASK = ROW_CHUNK - 1;

export class RowChunks {
  /** where in `pool` the chunk of rows [k * ROW_CHUNK, (k + 1) * ROW_CHUNK) starts; 0 (a chunk of zeros) until one of them is written */
  private readonly dir: Int32Array;
  private pool = new Int32Array(64 * ROW_CHUNK);
  private top = ROW_CHUNK;

  constructor(rows: number) {
    [this.dir] = sparseColumns([Int32Array], Math.ceil(rows / ROW_CHUNK));
  }

  get(row: number): number {
    return this.pool[this.dir[row >>> ROW_CHUNK_BITS] + (row & ROW_CHUNK_MASK)];
  }

  set(row: number, v: number): void {
    const k = row >>> ROW_CHUNK_BITS;
    let at = this.dir[k];
    if (at === 0) {
      at = this.top;
      if (at + ROW_CHUNK > this.pool.length) this.pool = grown(this.pool, doubledUntil(this.pool.length, at + ROW_CHUNK));
      this.top = at + ROW_CHUNK;
      this.dir[k] = at;
    }
    this.pool[at + (row & ROW_CHUNK_MASK)] = v;
  }
}
