/**
 * A dispatch through a jump table whose length the code does not bound (no compare before it: Clang
 * leaves it out where value ranges prove the index in range) has targets no analysis can name. The
 * walk ends its path there instead of taking the jump as a tail call from a modified frame, which
 * stopped the function's whole walk and hid the rest of its code; verify leaves such an FDE
 * `unknown` and names the dispatch. Fixture: test-corpus/fixtures/verify/x86-64-unresolved-table.s
 * (`sw_bad` plants a wrong CFA on the path the walk takes after the dispatch; `sw_good` is correct;
 * `sw_casefirst` lays a case out before the dispatch).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { verifyFile } from '../../src/verify/verify.js';
import { readListing } from './listing.js';
import { analyseUserspace } from '../helpers/userspace-analysis.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/verify/', import.meta.url));
const obj = `${dir}x86-64-unresolved-table.o`;
const listing = readFileSync(`${dir}x86-64-unresolved-table.lst`, 'utf8');
const facts = readListing(listing);

/** Offsets of the lines marked `# UNRESOLVED` (the dispatches), by the function the listing puts them in. */
function dispatches(): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of listing.split('\n')) {
    const m = /^\s*\d+\s+([0-9a-f]{4})\s+[0-9A-F]+\s+.*# UNRESOLVED/.exec(line);
    if (!m) continue;
    const off = parseInt(m[1], 16);
    out.set(facts.funcs.filter((f) => f.off <= off).at(-1)!.name, off);
  }
  return out;
}

for (const prove of [true, false]) {
  test(`unresolved jump table (${prove ? 'table proof' : 'walk alone'}): the planted error after the dispatch is found, the correct FDE is unknown at its dispatch`, async () => {
    const d = dispatches();
    assert.deepEqual([...d.keys()], ['sw_bad', 'sw_good', 'sw_casefirst']);
    assert.deepEqual(facts.planted.map((p) => p.func), ['sw_bad']);
    const r = await verifyFile(obj, true, { prove });
    const bad = r.verdicts.find((v) => v.func === 'sw_bad')!;
    const good = r.verdicts.find((v) => v.func === 'sw_good')!;
    assert.equal(bad.status, 'mismatch', JSON.stringify(bad));
    assert.deepEqual(bad.addrs, facts.planted.map((p) => p.off));
    assert.equal(good.status, 'unknown');
    assert.equal(good.reason, `jump table not recovered (at 0x${d.get('sw_good')!.toString(16)})`);
    // a case before the dispatch is the first code not reached; the reason names the dispatch all the same
    const first = r.verdicts.find((v) => v.func === 'sw_casefirst')!;
    assert.equal(first.reason, `jump table not recovered (at 0x${d.get('sw_casefirst')!.toString(16)})`);
    assert.deepEqual(r.summary, { fdes: 3, agrees: 0, mismatch: 1, unknown: 2 });
  });
}

test('unresolved jump table: the walk ends the path at the dispatch (no tail call from a modified frame), the cases stay unreached', async () => {
  const r = await analyseUserspace(obj);
  const p = r.ctx.prog;
  const text = p.elf.sections.findIndex((s) => s.name === '.text');
  const warnings = r.ctx.diag.list.map((w) => w.text).join('\n');
  assert.match(warnings, /sw_good\+0x1a: jump table not recovered: no bound check on the index/);
  assert.doesNotMatch(warnings, /sibling call/);
  for (const [func, off] of dispatches()) {
    const row = p.find(text, off);
    assert.ok(r.ctx.unresolvedDispatches.has(row), func);
    // reached, and nothing after it is reached by falling through: the first case starts there
    assert.ok(p.cfi[row] >= 0, `${func}: the dispatch is reached`);
    assert.ok(p.cfi[row + 1] < 0, `${func}: the case after the dispatch is not reached`);
  }
  // the code after the branch around the dispatch is walked (before, the whole walk stopped)
  const planted = p.find(text, facts.planted[0].off);
  assert.ok(p.cfi[planted] >= 0);
});
