/**
 * A bounded cursor over one section's bytes: fixed-size and LEB128 reads that never go past `end`
 * and report a FormatError with the file offset when they would. One instance is reused for a
 * whole section (no allocation per read).
 */
import { FormatError } from '../elf/errors.js';

const TWO32 = 0x100000000;

export class ByteReader {
  readonly dv: DataView;
  /** current position, relative to the start of `data` */
  pos = 0;
  /** reads stop here (exclusive); narrowed to one entry or one instruction block */
  end: number;

  /**
   * @param data the section bytes
   * @param le byte order
   * @param fileOffset file offset of data[0], for messages
   * @param what name used in messages (".eh_frame")
   */
  constructor(readonly data: Uint8Array, readonly le: boolean, readonly fileOffset: number, readonly what: string) {
    this.dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.end = data.length;
  }

  /** Throws a FormatError for position `at` (section-relative). */
  fail(message: string, at: number = this.pos): never {
    throw new FormatError(`${this.what}+0x${at.toString(16)}: ${message}`, this.fileOffset + at);
  }

  need(n: number): void {
    if (this.pos + n > this.end) this.fail(`truncated: ${n} bytes needed, ${Math.max(0, this.end - this.pos)} left`);
  }

  u8(): number {
    this.need(1);
    return this.data[this.pos++];
  }

  u16(): number {
    this.need(2);
    const v = this.dv.getUint16(this.pos, this.le);
    this.pos += 2;
    return v;
  }

  i16(): number {
    this.need(2);
    const v = this.dv.getInt16(this.pos, this.le);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.dv.getUint32(this.pos, this.le);
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.dv.getInt32(this.pos, this.le);
    this.pos += 4;
    return v;
  }

  /** unsigned 64-bit as a double (exact below 2^53) */
  u64(): number {
    this.need(8);
    const a = this.dv.getUint32(this.pos, this.le);
    const b = this.dv.getUint32(this.pos + 4, this.le);
    this.pos += 8;
    return this.le ? b * TWO32 + a : a * TWO32 + b;
  }

  /** signed 64-bit as a double (exact within ±2^53) */
  i64(): number {
    this.need(8);
    const p = this.pos;
    this.pos += 8;
    if (this.le) return this.dv.getInt32(p + 4, true) * TWO32 + this.dv.getUint32(p, true);
    return this.dv.getInt32(p, false) * TWO32 + this.dv.getUint32(p + 4, false);
  }

  /** unsigned LEB128 as a double; bits past 2^64 are dropped, precision past 2^53 is lost */
  uleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.end) this.fail('truncated LEB128');
      const b = this.data[this.pos++];
      if (scale < 18446744073709551616) result += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return result;
    }
  }

  /** signed LEB128 as a double */
  sleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.end) this.fail('truncated LEB128');
      const b = this.data[this.pos++];
      if (scale < 18446744073709551616) result += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) {
        if (b & 0x40 && scale <= 18446744073709551616) result -= scale;
        return result;
      }
    }
  }

  /** NUL-terminated latin1 string (the CIE augmentation) */
  cstring(): string {
    const start = this.pos;
    let e = start;
    while (e < this.end && this.data[e] !== 0) e++;
    if (e >= this.end) this.fail('unterminated string', start);
    this.pos = e + 1;
    let s = '';
    for (let i = start; i < e; i++) s += String.fromCharCode(this.data[i]);
    return s;
  }

  /** address-sized unsigned value (4 or 8 bytes; 2 and 1 accepted for odd .debug_frame address sizes) */
  uN(size: number): number {
    switch (size) {
      case 8: return this.u64();
      case 4: return this.u32();
      case 2: return this.u16();
      case 1: return this.u8();
      default: return this.fail(`unsupported address size ${size}`);
    }
  }
}
