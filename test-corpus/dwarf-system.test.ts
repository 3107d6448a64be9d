/**
 * DWARF CFI of installed system libraries (glibc's hand-written assembly CFI, libstdc++'s
 * personality/LSDA CIEs) against cfa_table.py and readelf frames-interp.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareWithCfaTable, compareWithReadelf, have, oracleScript } from './dwarf-helpers.js';

const LIBS: [string, string][] = [
  ['/usr/lib/x86_64-linux-gnu/libc.so.6', 'objdump'],
  ['/usr/lib/x86_64-linux-gnu/libstdc++.so.6', 'objdump'],
  ['/usr/aarch64-linux-gnu/lib/libc.so.6', 'aarch64-linux-gnu-objdump'],
];

for (const [lib, objdump] of LIBS) {
  test(`dwarf CFI of ${lib} vs cfa_table.py and readelf`, (t) => {
    const script = oracleScript();
    if (!existsSync(lib)) return t.skip(`${lib} not installed`);
    if (!script || !have('python3') || !have(objdump) || !have('readelf')) return t.skip('oracle tools missing');
    const dir = mkdtempSync(join(tmpdir(), 'objflow-dwarf-sys-'));
    try {
      const r = compareWithReadelf('readelf', lib, 'eh_frame');
      console.log(`# ${lib}: readelf FDEs ${r.fdes}, rows ${r.rows}, mismatches ${r.mismatches}`);
      for (const e of r.examples) console.log(`#   ${e}`);
      const c = compareWithCfaTable(script, lib, objdump, join(dir, 'rows.jsonl'));
      console.log(`# ${lib}: cfa_table.py lines ${c.compared}, covered ${c.covered}, mismatches ${c.mismatches}`);
      for (const e of c.examples) console.log(`#   ${e}`);
      assert.equal(r.mismatches, 0);
      assert.equal(c.mismatches, 0);
      assert.ok(r.fdes > 1000 && c.covered > 10000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
