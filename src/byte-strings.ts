/**
 * Names and paths are byte strings in objflow: one character per byte (0-255), the way ELF names
 * are read (elf/reader.ts). A symbol named in UTF-8, or with bytes that are no text at all, keeps
 * its bytes; objtool, readelf and the shell print such names as raw bytes, and so does objflow.
 * Command-line arguments arrive as text decoded from UTF-8: they become their bytes again on entry,
 * file-system calls get those bytes as a Buffer, and output is written byte for byte (latin1).
 * Node has already replaced argument bytes that are not UTF-8 with U+FFFD; on Linux the process's own
 * arguments are read again, as bytes, from /proc/self/cmdline (`argBytesOf`).
 */
import { readFileSync } from 'node:fs';

/**
 * Is every character of `s` below 0x80? Every other character takes two or more bytes in UTF-8, and
 * Node counts them natively: 4 ms for AArch64 libLLVM's 20 MB JSON report, where a regular expression
 * took 150 ms.
 */
function isAsciiText(s: string): boolean {
  return Buffer.byteLength(s, 'utf8') === s.length;
}

/**
 * Arguments as byte strings. Where one holds U+FFFD (bytes Node could not decode) and `args` are this
 * process's own arguments (the tail of `process.argv`), their bytes come from /proc/self/cmdline,
 * where the kernel keeps them as given; each is checked to decode to the text Node gave.
 */
export function argBytesOf(args: readonly string[]): string[] {
  const plain = args.map(argBytes);
  if (!args.some((a) => a.includes('\ufffd')) || process.platform !== 'linux') return plain;
  const own = process.argv;
  if (own.length < args.length || args.some((a, k) => own[own.length - args.length + k] !== a)) return plain;
  let raw: string[];
  try {
    raw = readFileSync('/proc/self/cmdline').toString('latin1').split('\0');
  } catch {
    return plain;
  }
  // the file ends with a NUL: its last field is empty
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  if (raw.length < args.length) return plain;
  const tail = raw.slice(raw.length - args.length);
  for (let k = 0; k < args.length; k++) {
    if (Buffer.from(tail[k], 'latin1').toString('utf8') !== args[k]) return plain;
  }
  return tail;
}

/** A command-line argument (UTF-8-decoded text) as the byte string of its UTF-8 bytes. */
export function argBytes(arg: string): string {
  return isAsciiText(arg) ? arg : Buffer.from(arg, 'utf8').toString('latin1');
}

/** A byte-string path in the form the file-system calls take (its bytes when not plain ASCII). */
export function fsPath(path: string): string | Buffer {
  return isAsciiText(path) ? path : Buffer.from(path, 'latin1');
}

/** The bytes of a byte string, for output. */
export function outputBytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

const decoder = new TextDecoder('utf-8');

/**
 * A byte string as valid UTF-8 (still one character per byte): JSON and SARIF must be UTF-8, so a
 * byte sequence that is not becomes U+FFFD there. Text output keeps the raw bytes.
 */
export function utf8Only(s: string): string {
  if (isAsciiText(s)) return s;
  return utf8Bytes(Buffer.from(s, 'latin1')).toString('latin1');
}

/** Bytes made valid UTF-8: each sequence that is not becomes U+FFFD's bytes (as `utf8Only`). */
export function utf8Bytes(bytes: Uint8Array): Buffer {
  return Buffer.from(decoder.decode(bytes), 'utf8');
}
