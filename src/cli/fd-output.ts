/**
 * Output straight to file descriptors 1 and 2 with `writeSync`, for the fast launcher: creating
 * `process.stdout`/`process.stderr` builds a stream object per descriptor (3 to 7 ms of CPU each on
 * Node 20), which is a noticeable share of a small kbuild object's run. The bytes and their order are
 * the same as through the streams, which are synchronous for files, pipes and terminals on Linux too.
 */
import { writeSync } from 'node:fs';
import { outputBytes } from '../byte-strings.js';

export interface OutputStreams {
  out(s: string): void;
  err(s: string): void;
}

export function fdOutput(): OutputStreams {
  const out = fdWriter(1, () => process.stdout);
  const err = fdWriter(2, () => process.stderr);
  return { out, err };
}

/**
 * A writer for one descriptor. A non-blocking descriptor that is full (EAGAIN) hands the rest, and
 * everything after it, to Node's stream, which waits for it; a closed reader (EPIPE) ends the output
 * quietly, as a pipe into `head` expects.
 */
function fdWriter(fd: number, stream: () => NodeJS.WritableStream): (s: string) => void {
  let mode: 'direct' | 'stream' | 'closed' = 'direct';
  return (s: string): void => {
    if (mode === 'closed' || s.length === 0) return;
    const bytes = outputBytes(s);
    if (mode === 'stream') { stream().write(bytes); return; }
    let done = 0;
    while (done < bytes.length) {
      try {
        done += writeSync(fd, bytes, done, bytes.length - done);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          mode = 'stream';
          stream().write(bytes.subarray(done));
          return;
        }
        if (code === 'EPIPE') { mode = 'closed'; return; }
        throw e;
      }
    }
  };
}
