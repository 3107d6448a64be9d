/**
 * A file image described, not built: a base (the old file's bytes, zeros past its end) with pieces
 * laid over it, later pieces winning where they overlap. `chunks()` hands the result out front to
 * back, so a writer can stream it to a file without ever holding a second copy of the file in
 * memory: untouched stretches are views of the base, and a piece whose bytes are computed
 * (relocations renumbered, say) is produced a block at a time.
 */

/** Bytes of a piece, read by range; `read` may return a view that is only valid until the next call. */
export interface ByteSource {
  readonly length: number;
  read(from: number, to: number): Uint8Array;
}

/** Largest chunk `chunks()` asks a computed source for (bounds the memory a write needs). */
export const CHUNK_BYTES = 1 << 20;

export class FilePieces {
  /** sorted by `at`, never overlapping */
  private readonly pieces: Piece[] = [];
  private readonly zeroBytes = new Zeros();

  constructor(private readonly base: Uint8Array, readonly size: number) {}

  /** Lays `bytes` (or a computed source) at `at`; bytes past the end of the file are cut off. */
  put(at: number, bytes: Uint8Array | ByteSource): void {
    const src: ByteSource = bytes instanceof Uint8Array ? new ViewSource(bytes) : bytes;
    const end = Math.min(at + src.length, this.size);
    if (end <= at) return;
    const piece: Piece = { at, end, src, srcOff: 0 };
    const ps = this.pieces;
    // pieces mostly come front to back: then this is an append
    if (ps.length === 0 || ps[ps.length - 1].end <= at) { ps.push(piece); return; }
    // the pieces overlapping [at, end) are ps[first, last): keep their parts outside it
    const first = this.firstEndingAfter(at);
    let last = first;
    while (last < ps.length && ps[last].at < end) last++;
    const replaced: Piece[] = [];
    if (first < last && ps[first].at < at) replaced.push({ ...ps[first], end: at });
    replaced.push(piece);
    if (first < last) {
      const p = ps[last - 1];
      if (p.end > end) replaced.push({ at: end, end: p.end, src: p.src, srcOff: p.srcOff + (end - p.at) });
    }
    ps.splice(first, last - first, ...replaced);
  }

  /** Zero-fills [from, to). */
  zero(from: number, to: number): void {
    if (to > from) this.put(from, new ZeroSource(to - from, this.zeroBytes));
  }

  /** The file front to back, as views of the base and the pieces; together exactly `size` bytes. */
  *chunks(): Generator<Uint8Array> {
    let p = 0;
    for (const piece of this.pieces) {
      if (piece.at > p) yield* this.baseRange(p, piece.at);
      const computed = !(piece.src instanceof ViewSource);
      const step = computed ? CHUNK_BYTES : piece.end - piece.at;
      for (let q = piece.at; q < piece.end; q += step) {
        const to = Math.min(piece.end, q + step);
        yield piece.src.read(piece.srcOff + q - piece.at, piece.srcOff + to - piece.at);
      }
      p = piece.end;
    }
    if (p < this.size) yield* this.baseRange(p, this.size);
  }

  /** The whole image in one buffer (tests, small files). */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let p = 0;
    for (const c of this.chunks()) { out.set(c, p); p += c.length; }
    return out;
  }

  /** The base's bytes in [from, to), zeros beyond its end. */
  private *baseRange(from: number, to: number): Generator<Uint8Array> {
    const b = this.base;
    if (from < b.length) {
      const mid = Math.min(to, b.length);
      yield b.subarray(from, mid);
      from = mid;
    }
    for (let q = from; q < to; q += CHUNK_BYTES) yield this.zeroBytes.block(Math.min(CHUNK_BYTES, to - q));
  }

  /** Index of the first piece that ends after `at` (pieces are sorted and disjoint, so their ends are too). */
  private firstEndingAfter(at: number): number {
    let lo = 0;
    let hi = this.pieces.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.pieces[mid].end <= at) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
}

/** A computed source whose bytes are made in one go on first read and dropped after the last byte was read. */
export function wholeSource(length: number, build: () => Uint8Array): ByteSource {
  let made: Uint8Array | undefined;
  return {
    length,
    read(from: number, to: number): Uint8Array {
      made ??= build();
      const v = made.subarray(from, to);
      if (to >= length) made = undefined;
      return v;
    },
  };
}

/** Several byte arrays one after the other (a string table and what was appended to it). */
export function concatSource(parts: readonly Uint8Array[]): ByteSource {
  let length = 0;
  for (const p of parts) length += p.length;
  return {
    length,
    read(from: number, to: number): Uint8Array {
      let start = 0;
      for (const p of parts) {
        if (from >= start && to <= start + p.length) return p.subarray(from - start, to - start);
        start += p.length;
      }
      // the range spans parts: copy it
      const out = new Uint8Array(to - from);
      start = 0;
      for (const p of parts) {
        const a = Math.max(from, start);
        const b = Math.min(to, start + p.length);
        if (b > a) out.set(p.subarray(a - start, b - start), a - from);
        start += p.length;
      }
      return out;
    },
  };
}

interface Piece {
  at: number;
  end: number;
  src: ByteSource;
  /** offset in `src` of the byte at `at` */
  srcOff: number;
}

class ViewSource implements ByteSource {
  constructor(private readonly bytes: Uint8Array) {}
  get length(): number { return this.bytes.length; }
  read(from: number, to: number): Uint8Array { return this.bytes.subarray(from, to); }
}

class ZeroSource implements ByteSource {
  constructor(readonly length: number, private readonly zeros: Zeros) {}
  read(from: number, to: number): Uint8Array { return this.zeros.block(to - from); }
}

/** One zero-filled buffer that every zero run is a view of (nobody writes through these views). */
class Zeros {
  private buf: Uint8Array | undefined;
  block(n: number): Uint8Array {
    if (!this.buf || this.buf.length < n) this.buf = new Uint8Array(Math.max(n, 4096));
    return this.buf.subarray(0, n);
  }
}
