/**
 * Line output in batches. A whole library's report is tens of MB (x86-64 libLLVM's verify: 12 MB of JSON
 * Lines, AArch64's text report 28 MB). Lines are written, as they come, into one batch buffer that is
 * reused: a batch made as a string (joined, checked for UTF-8, converted to bytes) was three large
 * objects per MB of report, each fresh memory whose first touch costs more than making the lines.
 * Batches end at a newline, which no UTF-8 sequence spans, so their bytes are those of the whole report
 * made valid UTF-8 at once. JSON must be UTF-8 (`utf8`, the default); text keeps the raw bytes.
 */
import { isAscii } from 'node:buffer';
import { utf8Bytes } from '../byte-strings.js';
import type { OutputStreams } from './fd-output.js';

/** Bytes a batch holds before it is written (a longer line is a batch of its own). */
const BATCH_BYTES = 1 << 20;

/** Where a LineOutput's batches go: `bytes` is valid only until the call returns. */
export type ByteSink = (bytes: Uint8Array) => void;

/** The byte output of `io`: its own when it has one, else its string output given the bytes as a byte string. */
export function byteSink(io: OutputStreams): ByteSink {
  return io.outBytes ? io.outBytes.bind(io) : (bytes) => io.out(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1'));
}

export class LineOutput {
  private buf = Buffer.allocUnsafe(BATCH_BYTES);
  private used = 0;

  constructor(private readonly out: ByteSink, private readonly utf8 = true) {}

  /** Adds a line (a byte string: one byte per character). */
  line(s: string): void {
    if (this.used + s.length + 1 > this.buf.length) {
      this.flush();
      if (s.length + 1 > this.buf.length) this.buf = Buffer.allocUnsafe(s.length + 1);
    }
    this.used += this.buf.write(s, this.used, 'latin1');
    this.buf[this.used++] = 0x0a;
  }

  flush(): void {
    if (this.used === 0) return;
    const batch = this.buf.subarray(0, this.used);
    this.used = 0;
    this.out(this.utf8 && !isAscii(batch) ? utf8Bytes(batch) : batch);
  }
}
