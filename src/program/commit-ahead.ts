/**
 * Memory committed ahead, by a helper thread.
 *
 * On a virtual machine the first write to each new page of memory is a fault that goes through the
 * hypervisor: about 4 ms per MiB measured on the machines objflow is built on, as much time on a
 * large input as the analysis itself. The thread that touches a page first pays for it. For a large
 * input the columns the decoder and the analysis fill row by row are allocated as shared memory, and
 * a helper thread touches their pages, front to back, while the main thread decodes: the faults are
 * taken on another core, and the main thread finds the pages there.
 *
 * The helper only ever adds zero atomically, one word a page: it changes no value whoever writes
 * first, so results never depend on it (without it, e.g. for a small input, the same columns are
 * plain arrays with the same contents). It holds nothing alive: it is unreferenced, and the process
 * ends when the main thread is done. It serves one program: once its pages are touched it ends, and
 * the memory can be freed with the program.
 */
import { Worker } from 'node:worker_threads';
import type { ArrayCtor, NumberArray } from '../typed-arrays.js';

/** Inputs from this size on start the helper: below it, its start-up (a thread, ~70 ms of CPU) costs more than it saves. */
export const COMMIT_AHEAD_BYTES = 4 << 20;

/** Rows committed per step, across all columns of a group, so that every column stays ahead of the decoder. */
const STEP_ROWS = 16384;

/**
 * The helper's code: for each group (columns filled in row order at once), pages of every column for
 * one step of rows, then the next step. A page is touched by an atomic add of zero to one of its words.
 */
const HELPER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (groups) => {
  for (const g of groups) {
    const views = g.columns.map((c) => new Int32Array(c.buffer, 0, c.buffer.byteLength >> 2));
    for (let row = 0; row < g.rows; row += ${STEP_ROWS}) {
      const end = Math.min(g.rows, row + ${STEP_ROWS});
      for (let k = 0; k < views.length; k++) {
        const v = views[k];
        const per = g.columns[k].bytesPerRow;
        const last = Math.min(v.length, Math.ceil(end * per / 4));
        for (let w = (Math.floor(row * per / 4) >> 10) << 10; w < last; w += 1024) Atomics.add(v, w, 0);
      }
    }
  }
  // ends the thread (not the process): its references to the shared memory go with it
  process.exit(0);
});
`;

let helper: Worker | undefined;

/** Starts the helper for an input of `bytes` bytes (from COMMIT_AHEAD_BYTES on; OBJFLOW_COMMIT_AHEAD=0: never). */
export function startCommitAhead(bytes: number): void {
  if (helper || bytes < COMMIT_AHEAD_BYTES || process.env.OBJFLOW_COMMIT_AHEAD === '0') return;
  try {
    helper = new Worker(HELPER_SOURCE, { eval: true, stdout: false, stderr: false });
    helper.unref();
    // a helper that fails (no memory for a thread) only means the faults stay on the main thread
    helper.on('error', () => { helper = undefined; });
  } catch {
    helper = undefined;
  }
}

/** True while a helper runs: columns allocated with `column` are then shared memory. */
export function committingAhead(): boolean {
  return helper !== undefined;
}

/** A zeroed array of `length` elements: shared memory while the helper runs (whole pages), else a plain array. */
export function column<T extends NumberArray>(ctor: ArrayCtor<T>, length: number): T {
  if (!helper) return new ctor(length);
  const bytes = Math.ceil((length * ctor.BYTES_PER_ELEMENT) / 4096) * 4096;
  return new ctor(new SharedArrayBuffer(Math.max(4096, bytes)), 0, length);
}

/** Columns filled together, row by row: `rows` rows of each, `perRow` elements a row (default 1). */
export interface CommitGroup {
  rows: number;
  columns: readonly { array: NumberArray; perRow?: number }[];
}

/** Asks the helper to touch the pages of these groups, in order. Columns that are not shared memory are left out. */
export function commitAhead(groups: readonly CommitGroup[]): void {
  if (!helper) return;
  const msg = [];
  for (const g of groups) {
    const columns = [];
    for (const c of g.columns) {
      const buf = c.array.buffer;
      if (!(buf instanceof SharedArrayBuffer)) continue;
      columns.push({ buffer: buf, bytesPerRow: c.array.BYTES_PER_ELEMENT * (c.perRow ?? 1) });
    }
    if (columns.length > 0 && g.rows > 0) msg.push({ rows: Math.floor(g.rows), columns });
  }
  const h = helper;
  // one job a helper: it ends when done, so that the memory it saw can be freed with the program
  helper = undefined;
  if (msg.length === 0) { void h.terminate(); return; }
  lastJob = { worker: h, ended: new Promise((resolve) => h.once('exit', () => resolve())) };
  h.postMessage(msg);
}

let lastJob: { worker: Worker; ended: Promise<void> } | undefined;

/** Settles when the last helper given a job has ended (tests: every page it was given is touched). */
export function commitAheadFinished(): Promise<void> {
  if (!lastJob) return Promise.resolve();
  // referenced while awaited: an unreferenced thread would not keep the event loop waiting for it
  lastJob.worker.ref();
  return lastJob.ended;
}
