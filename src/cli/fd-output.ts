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
  /** Bytes for the output, as they are (a report's batches); valid only until the call returns. */
  outBytes?(bytes: Uint8Array): void;
}

export function fdOutput(): OutputStreams {
  const outBytes = fdWriter(1, () => process.stdout);
  const err = fdWriter(2, () => process.stderr);
  return {
    out: (s) => { if (s.length !== 0) outBytes(outputBytes(s)); },
    err: (s) => { if (s.length !== 0) err(outputBytes(s)); },
    outBytes,
  };
}

/**
 * A writer for one descriptor. A non-blocking descriptor that is full (EAGAIN) hands the rest, and
 * everything after it, to Node's stream, which waits for it; a closed reader (EPIPE) ends the output
 * quietly, as a pipe into `head` expects.
 */
function fdWriter(fd: number, stream: () => NodeJS.WritableStream): (bytes: Uint8Array) => void {
  let mode: 'direct' | 'stream' | 'closed' = 'direct';
  const toStream = (): void => {
    mode = 'stream';
    endQuietlyOnClosedReader(stream(), () => { mode = 'closed'; });
  };
  return (bytes: Uint8Array): void => {
    if (mode === 'closed' || bytes.length === 0) return;
    // the stream keeps what it is given until it is written: a copy (the caller reuses its bytes)
    if (mode === 'stream') { stream().write(Buffer.from(bytes)); return; }
    let done = 0;
    while (done < bytes.length) {
      try {
        done += writeSync(fd, bytes, done, bytes.length - done);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          toStream();
          stream().write(Buffer.from(bytes.subarray(done)));
          return;
        }
        if (code === 'EPIPE') { mode = 'closed'; return; }
        throw e;
      }
    }
  };
}

/** Per stream, the writers to tell when it fails (one listener a stream, however many writers use it). */
const onFailure = new WeakMap<NodeJS.WritableStream, (() => void)[]>();

/**
 * A stream's write errors arrive later, as events: a closed reader (EPIPE, a pipe into `head`) ends the
 * output quietly, as it does for direct writes; another error is one line and status 2, not a stack trace.
 * `closed` is called on either, so its writer stops writing.
 */
export function endQuietlyOnClosedReader(stream: NodeJS.WritableStream, closed?: () => void): void {
  let writers = onFailure.get(stream);
  if (!writers) {
    const list: (() => void)[] = [];
    writers = list;
    onFailure.set(stream, list);
    stream.on('error', (e: NodeJS.ErrnoException) => {
      for (const w of list) w();
      if (e.code === 'EPIPE') return;
      writeSyncQuiet(2, `objflow: cannot write the output: ${e.message}\n`);
      process.exitCode = 2;
    });
  }
  if (closed) writers.push(closed);
}

/** A last message to a descriptor, if it can still be written. */
function writeSyncQuiet(fd: number, s: string): void {
  try {
    writeSync(fd, s);
  } catch {
    // nowhere left to say it
  }
}
