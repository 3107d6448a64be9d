import type { Streams } from './objtool.js';
export async function unwindCommand(argv: readonly string[], io: Streams): Promise<number> {
  void argv;
  io.err('objflow: unwind: not implemented yet\n');
  return 2;
}
