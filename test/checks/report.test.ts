/**
 * Diagnostics output: objtool's text lines (warn.h: WARN, WARN_FUNC/offstr, WARN_INSN once per
 * function, BT_INSN indented), JSON Lines, and SARIF 2.1.0's required fields (OASIS SARIF 2.1.0
 * §3.13 sarifLog: version, runs; §3.19 tool.driver.name; §3.27 result: message, ruleId, locations).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Diagnostics, placeText } from '../../src/report/diag.js';
import { diagnosticsJson } from '../../src/report/json.js';
import { ruleId, sarifLog } from '../../src/report/sarif-check.js';
import { modifiedReturn, slsRets } from '../fixtures/core/objects.js';
import { analyze } from '../fixtures/core/x86-object.js';

test('placeText: func+0xoff, --sec-address adds (sec+0xoff), section-only places', () => {
  const p = { sec: '.text', off: 0x15, sym: 'f', symOff: 5 };
  assert.equal(placeText(p, false), 'f+0x5');
  assert.equal(placeText(p, true), 'f+0x5 (.text+0x15)');
  const q = { sec: '.init.text', off: 0x1a0, sym: '', symOff: 0 };
  assert.equal(placeText(q, false), '.init.text+0x1a0');
  assert.equal(placeText(q, true), '.init.text+0x1a0');
});

test('Diagnostics: warning lines, indented backtrace notes that are not counted', () => {
  const d = new Diagnostics('a/b.o');
  d.warn('f() falls through to next function g()');
  d.warnAt({ sec: '.text', off: 0x10, sym: 'f', symOff: 0x10 }, 'unreachable instruction');
  d.noteAt({ sec: '.text', off: 0x4, sym: 'f', symOff: 4 }, '(branch)');
  assert.deepEqual(d.list.map((x) => x.text), [
    'a/b.o: warning: objtool: f() falls through to next function g()',
    'a/b.o: warning: objtool: f+0x10: unreachable instruction',
    'a/b.o: warning: objtool:   f+0x4: (branch)',
  ]);
  assert.equal(d.warningCount, 2);
  assert.deepEqual([d.list[1].func, d.list[1].funcOff, d.list[1].sec, d.list[1].off], ['f', 0x10, '.text', 0x10]);
  assert.equal(d.list[0].func, undefined);
  const s = new Diagnostics('x.o', true);
  s.warnAt({ sec: '.text', off: 0x10, sym: 'f', symOff: 0 }, 'm');
  assert.equal(s.list[0].text, 'x.o: warning: objtool: f+0x0 (.text+0x10): m');
});

test('WARN_INSN: once per function; places outside functions always print', async () => {
  const r = await analyze(slsRets(), { sls: true });
  const ctx = r.ctx;
  const p = ctx.prog;
  const before = ctx.diag.list.length;
  const text = p.elf.section('.text')!.index;
  ctx.warnInsn(p.find(text, 0), 'again'); // tworets already warned
  assert.equal(ctx.diag.list.length, before);
  // a function that has not warned yet prints once, then is silenced
  const r2 = await analyze(modifiedReturn(), { retpoline: true });
  const q = r2.ctx.prog;
  const t2 = q.elf.section('.text')!.index;
  r2.ctx.warnInsn(q.find(t2, 0), 'first');
  r2.ctx.warnInsn(q.find(t2, 1), 'second');
  assert.deepEqual(r2.ctx.diag.list.map((x) => x.text), ['test.o: warning: objtool: modret+0x0: first']);
  // backtrace lines only with --verbose/--backtrace
  r2.ctx.backtrace(q.find(t2, 0), '<=== (sym)');
  assert.equal(r2.ctx.diag.list.length, 1);
});

function sample(): Diagnostics {
  const d = new Diagnostics('t.o');
  d.warnAt({ sec: '.text', off: 0x21, sym: 'cfamis', symOff: 5 }, 'stack state mismatch: cfa1=4+8 cfa2=4+16');
  d.noteAt({ sec: '.text', off: 0x1c, sym: 'cfamis', symOff: 0 }, '<=== (sym)');
  d.warn('first() falls through to next function second()');
  return d;
}

test('JSON Lines: one object per warning (notes left out), then a summary', () => {
  const out = diagnosticsJson('t.o', sample().list);
  assert.ok(out.endsWith('\n'));
  const lines = out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 3);
  assert.deepEqual(lines[0], {
    file: 't.o', level: 'warning', message: 'stack state mismatch: cfa1=4+8 cfa2=4+16', sec: '.text', off: 0x21,
    addr: null, func: 'cfamis', funcOff: 5, text: 't.o: warning: objtool: cfamis+0x5: stack state mismatch: cfa1=4+8 cfa2=4+16',
  });
  assert.deepEqual([lines[1].sec, lines[1].func, lines[1].off], [null, null, null]);
  assert.deepEqual(lines[2], { summary: { file: 't.o', warnings: 2 } });
  assert.deepEqual(diagnosticsJson('e.o', []).trimEnd().split('\n').map((l) => JSON.parse(l)), [{ summary: { file: 'e.o', warnings: 0 } }]);
});

test('SARIF 2.1.0: version, tool name, results with ruleId, message and a location', () => {
  const log = JSON.parse(JSON.stringify(sarifLog([{ file: 'dir/t.o', diags: sample().list }]))) as {
    version: string; $schema: string;
    runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: { ruleId: string; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string } }; logicalLocations?: { name: string; fullyQualifiedName: string }[] }[] }[] }[];
  };
  assert.equal(log.version, '2.1.0');
  assert.match(log.$schema, /sarif/);
  assert.equal(log.runs.length, 1);
  const run = log.runs[0];
  assert.equal(run.tool.driver.name, 'objflow');
  assert.equal(run.results.length, 2);
  const ids = new Set(run.tool.driver.rules.map((r) => r.id));
  for (const r of run.results) {
    assert.ok(r.ruleId.length > 0);
    assert.ok(ids.has(r.ruleId), 'every result names a declared rule');
    assert.equal(typeof r.message.text, 'string');
    assert.equal(r.level, 'warning');
    assert.equal(r.locations[0].physicalLocation.artifactLocation.uri, 'dir/t.o');
  }
  assert.equal(run.results[0].message.text, 'stack state mismatch: cfa1=4+8 cfa2=4+16');
  assert.deepEqual(run.results[0].locations[0].logicalLocations?.map((l) => [l.name, l.fullyQualifiedName]), [['cfamis', 'cfamis+0x5']]);
  assert.equal(run.results[1].locations[0].logicalLocations, undefined);
});

test('rule ids ignore numbers and function names, keep the kind of finding', () => {
  assert.equal(ruleId('stack state mismatch: cfa1=4+8 cfa2=4+16'), ruleId('stack state mismatch: cfa1=6+0 cfa2=7+24'));
  assert.equal(ruleId('unreachable instruction'), 'unreachable-instruction');
  assert.equal(ruleId('a() falls through to next function b()'), ruleId('x.cold() falls through to next function y_z()'));
  assert.notEqual(ruleId('return with modified stack frame'), ruleId('unreachable instruction'));
  assert.match(ruleId('call to foo() with UACCESS enabled'), /^[a-z-]+$/);
});
