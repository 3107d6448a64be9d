/**
 * The entry of the single-file bundle (dist/objflow.cjs) that bin/objflow-fast.cjs loads: the CLI's
 * `main` writing straight to the file descriptors. Built by tools/bundle.ts from tsc's output.
 */
import { main } from '../src/cli/main.js';
import { fdOutput } from '../src/cli/fd-output.js';

export function run(argv: readonly string[]): Promise<number> {
  return main(argv, fdOutput());
}
