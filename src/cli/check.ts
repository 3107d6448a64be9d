import type { Streams } from './objtool.js';
export async function checkCommand(argv: readonly string[], io: Streams): Promise<number> {
  void argv;
  io.err('objflow: check: not implemented yet\n');
  return 2;
}
