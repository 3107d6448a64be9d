/**
 * Bad input is data, not a bug: every problem with a file's bytes is a FormatError, which the CLI
 * turns into one line `objflow: FILE: reason` and exit status 2. Anything else escaping is a bug.
 */
export class FormatError extends Error {
  constructor(readonly what: string, readonly offset = -1) {
    super(offset >= 0 ? `${what} (at file offset 0x${offset.toString(16)})` : what);
    this.name = 'FormatError';
  }
}

export function isFormatError(e: unknown): e is FormatError {
  return e instanceof FormatError;
}
