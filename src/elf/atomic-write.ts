/**
 * Replaces a file's contents all at once: the bytes go to a temporary file in the same directory
 * (same file system, so the rename is atomic), are flushed to disk, then renamed over the target.
 * Readers see the old file or the new one, never a half-written one. The target's permission bits
 * are kept. On any failure the target is untouched and the temporary file is removed.
 */
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync, chmodSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const dir = dirname(path);
  let mode = 0o644;
  try {
    mode = statSync(path).mode & 0o7777;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd = -1;
  try {
    // 'wx': never follow or reuse an existing file under the temporary name
    fd = openSync(tmp, 'wx', mode);
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
    // open() applies the umask; the file must end up with the original bits
    chmodSync(tmp, mode);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) {
      try { closeSync(fd); } catch { /* already failing */ }
    }
    try { unlinkSync(tmp); } catch { /* may not exist */ }
    throw e;
  }
  syncDirectory(dir);
}

/** Makes the rename itself durable; some file systems refuse to fsync a directory, which is fine. */
function syncDirectory(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}
