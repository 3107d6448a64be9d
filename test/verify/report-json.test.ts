/** verify's JSON lines: spelled directly, they are what JSON.stringify writes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonLine } from '../../src/verify/report.js';
import type { FdeVerdict } from '../../src/verify/verify.js';

function verdict(func: string, start: number, end: number, status: FdeVerdict['status'], reason: string | null): FdeVerdict {
  return {
    table: 'eh_frame', func, sec: '.text', start, end, status, addrs: [], first: null, firstWhere: null, reason,
    entry: null, path: [], betweenCalls: false, synchronousShape: false,
  };
}

test('jsonLine equals JSON.stringify of the documented fields (with and without differences)', () => {
  const funcs = ['main', '', 'a"b\\c', 'tab\there', 'nul\u0000x', 'é\u2028\ud800', '0x10'];
  const nums = [0, -0, 1, 2 ** 53, 0x7fffffff, 1.5, NaN, Infinity];
  for (const func of funcs) {
    for (const start of nums) {
      for (const reason of [null, 'code not reached by analysis (first at 0x10)', 'q"uote']) {
        for (const status of ['agrees', 'unknown'] as const) {
          const v = verdict(func, start, start + 4, status, reason);
          if (start === 1) {
            v.status = 'mismatch';
            v.addrs = [start, 2 ** 40, -0, 17];
            v.first = { addr: 17, rule: 'cfa', table: 'rsp+8', code: 'rsp"+16' };
          }
          const want = JSON.stringify({ func: v.func, start: v.start, end: v.end, status: v.status, addrs: v.addrs, first: v.first, reason: v.reason });
          assert.equal(jsonLine(v), want);
        }
      }
    }
  }
});
