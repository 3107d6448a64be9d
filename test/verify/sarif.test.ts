/** The SARIF 2.1.0 writer: required top-level shape (SARIF 2.1.0 §3.13-3.27), rule indices, addresses. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sarifLog } from '../../src/report/sarif.js';

test('sarifLog: version, schema, driver rules, results with rule index, addresses, code flow', () => {
  const text = sarifLog({ name: 'objflow', version: '1.2.3' }, [{ id: 'a', text: 'A' }, { id: 'b', text: 'B' }], [
    { ruleId: 'b', level: 'error', message: 'm', location: { file: 'dir/x y.o', addr: 16, sec: '.text', func: 'f', where: 'f+0x10' },
      flow: [{ location: { file: 'dir/x y.o', where: 'f+0x0' }, message: 'entry' }] },
    { ruleId: 'a', level: 'warning', message: 'n', location: { file: '/abs/lib.so', addr: 4096 } },
  ]);
  assert.ok(text.endsWith('\n'));
  const log = JSON.parse(text);
  assert.equal(log.version, '2.1.0');
  assert.match(log.$schema, /sarif-schema-2\.1\.0\.json$/);
  assert.equal(log.runs.length, 1);
  assert.deepEqual(log.runs[0].tool.driver.rules.map((r: { id: string }) => r.id), ['a', 'b']);
  const [r0, r1] = log.runs[0].results;
  assert.equal(r0.ruleIndex, 1);
  assert.deepEqual(r0.message, { text: 'm' });
  assert.equal(r0.locations[0].physicalLocation.artifactLocation.uri, 'dir/x%20y.o');
  assert.deepEqual(r0.locations[0].physicalLocation.address, { relativeAddress: 16, kind: 'section', name: '.text' });
  assert.equal(r0.locations[0].logicalLocations[0].name, 'f');
  assert.equal(r0.codeFlows[0].threadFlows[0].locations[0].location.message.text, 'entry');
  assert.equal(r1.ruleIndex, 0);
  assert.equal(r1.locations[0].physicalLocation.artifactLocation.uri, 'file:///abs/lib.so');
  assert.deepEqual(r1.locations[0].physicalLocation.address, { absoluteAddress: 4096 });
});
