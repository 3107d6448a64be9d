/**
 * Child process for `runBatch` (bad-input-contract.ts): runs the CLI's `main(argv)` for each job in
 * a JSON file, stdout discarded, stderr captured, and answers one JSON line per job on fd 1
 * (`start N` first, so a hang or crash names its input). Does nothing unless started with
 * `--run-bad-input-driver` (the test runner loads every file under test/).
 */
import { readFileSync, writeSync } from 'node:fs';

if (process.argv[2] === '--run-bad-input-driver') await drive(process.argv[3]);

async function drive(jobFile: string): Promise<void> {
  const jobs = JSON.parse(readFileSync(jobFile, 'latin1')) as string[][];
  const { main } = await import('../../src/cli/main.js');
  let stderr = '';
  const swallow = ((): boolean => true) as typeof process.stdout.write;
  process.stdout.write = swallow;
  process.stderr.write = ((chunk: string | Uint8Array): boolean => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1');
    return true;
  }) as typeof process.stderr.write;
  for (let i = 0; i < jobs.length; i++) {
    writeAll(`start ${i}\n`);
    stderr = '';
    const t0 = process.hrtime.bigint();
    const status = await main(jobs[i]);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    writeAll(`${JSON.stringify({ i, status, stderr, ms })}\n`);
  }
}

/** Writes all of `text` to fd 1: a pipe may take only part of a large write (objtool's warnings can run to megabytes). */
function writeAll(text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let done = 0;
  while (done < buf.length) {
    try {
      done += writeSync(1, buf, done, buf.length - done);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}
