/** Reading input files for the CLI: whole-file reads with a size bound, errors as one line. */
import { readFileSync, statSync } from 'node:fs';
import { ElfFile } from '../elf/reader.js';
import { FormatError } from '../elf/errors.js';
import { fsPath } from '../byte-strings.js';
import { startCommitAhead } from '../program/commit-ahead.js';
import { tuneCompilerForAnalysis } from './compiler-tuning.js';

/** Files larger than this are refused rather than read (memory stays bounded). */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024 * 1024 - 1;

export class UsageError extends Error {}

/**
 * Reads and opens an ELF file (`path`: a byte string, byte-strings.ts); throws FormatError (bad bytes) or an Error with a system reason.
 * `analyse`: the file is to be decoded and analysed, so a large one starts the commit-ahead helper
 * (program/commit-ahead.ts) first: the thread's start-up overlaps the read.
 */
export function openElf(path: string, analyse = false): ElfFile {
  let st;
  try {
    st = statSync(fsPath(path));
  } catch (e) {
    throw new FormatError(systemReason(e));
  }
  if (!st.isFile()) throw new FormatError('not a regular file');
  if (st.size > MAX_INPUT_BYTES) throw new FormatError(`file too large (${st.size} bytes)`);
  if (analyse) startCommitAhead(st.size);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(fsPath(path));
  } catch (e) {
    throw new FormatError(systemReason(e));
  }
  return new ElfFile(bytes, path);
}

/**
 * openElf for an analysis without objtool's conventions (check, unwind, jumptables, verify): V8's
 * compiler is also tuned for the input's size (compiler-tuning.ts).
 */
export function openForAnalysis(path: string): ElfFile {
  const elf = openElf(path, true);
  tuneCompilerForAnalysis(elf.bytes.length);
  return elf;
}

export function systemReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT': return 'No such file or directory';
    case 'EACCES': return 'Permission denied';
    case 'EISDIR': return 'Is a directory';
    default: return err.message ?? String(e);
  }
}
