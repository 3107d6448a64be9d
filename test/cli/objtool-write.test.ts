/**
 * `objflow objtool` writes the file the real objtool 6.12 wrote: the committed fixtures
 * (test/fixtures/elf/make-fixtures.sh: NAME.o before, NAME.objtool.o after objtool with the options
 * below) run through the whole command, output streamed to the file in pieces.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { objtoolCommand } from '../../src/cli/objtool.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/elf/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'objflow-objtool-write-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** make-fixtures.sh's OPTS */
const OPTS = ['--orc', '--retpoline', '--rethunk', '--static-call', '--prefix=16', '--sls', '--mcount'];
const quiet = { out: (): void => {}, err: (): void => {} };

for (const name of ['sample-gcc', 'sample-clang']) {
  test(`${name}: the file written is objtool's, byte for byte`, async () => {
    const f = join(dir, `${name}.o`);
    copyFileSync(join(fixtures, `${name}.o`), f);
    assert.equal(await objtoolCommand([...OPTS, f], quiet), 0);
    const got = readFileSync(f);
    const want = readFileSync(join(fixtures, `${name}.objtool.o`));
    assert.notEqual(Buffer.compare(readFileSync(join(fixtures, `${name}.o`)), want), 0, 'objtool changed the file');
    assert.equal(got.length, want.length);
    assert.equal(Buffer.compare(got, want), 0);
  });
}

test('--dry-run leaves the file as it was, and no temporary file behind', async () => {
  const f = join(dir, 'dry.o');
  copyFileSync(join(fixtures, 'sample-gcc.o'), f);
  const before = readdirSync(dir).length;
  assert.equal(await objtoolCommand([...OPTS, '--dry-run', f], quiet), 0);
  assert.equal(Buffer.compare(readFileSync(f), readFileSync(join(fixtures, 'sample-gcc.o'))), 0);
  assert.equal(readdirSync(dir).length, before);
});
