/**
 * Replaces a file's contents all at once: the bytes go to a temporary file in the same directory
 * (same file system, so the rename is atomic), then it is renamed over the target. Readers see the
 * old file or the new one, never a half-written one, and objflow failing or being killed at any
 * point leaves the target as it was. The target's permission bits are kept. On any failure the
 * temporary file is removed. The contents may come as pieces, front to back, so that a large file
 * need not exist in memory in one piece before it is written.
 * Nothing is fsynced: durability across a power cut is left to the file system, as the compiler,
 * assembler and linker that made the object (and objtool) leave it; a flush cost 3-12 ms for every
 * object of a kernel build here, a tenth of objflow's time on a small one.
 */
import { closeSync, openSync, renameSync, statSync, unlinkSync, writeSync, chmodSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fsPath } from '../byte-strings.js';

/** `path`: a byte string (byte-strings.ts). */
export function writeFileAtomic(path: string, contents: Uint8Array | Iterable<Uint8Array>): void {
  const dir = dirname(path);
  let mode = 0o644;
  try {
    mode = statSync(fsPath(path)).mode & 0o7777;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  let tmp = '';
  let fd = -1;
  try {
    // 'wx': never follow or reuse an existing file under the temporary name (a taken name: the next one)
    for (let attempt = 0; fd < 0; attempt++) {
      tmp = join(dir, `.${basename(path)}.${process.pid}.${tmpCounter++}.tmp`);
      try {
        fd = openSync(fsPath(tmp), 'wx', mode);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100) { tmp = ''; throw e; }
      }
    }
    if (contents instanceof Uint8Array) writeAll(fd, contents);
    else for (const chunk of contents) writeAll(fd, chunk);
    // open() applies the umask; the file must end up with the original bits
    chmodSync(fsPath(tmp), mode);
    closeSync(fd);
    fd = -1;
    renameSync(fsPath(tmp), fsPath(path));
  } catch (e) {
    if (fd >= 0) {
      try { closeSync(fd); } catch { /* already failing */ }
    }
    if (tmp) {
      try { unlinkSync(fsPath(tmp)); } catch { /* may not exist */ }
    }
    throw e;
  }
}

let tmpCounter = 0;

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}
