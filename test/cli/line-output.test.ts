/**
 * JSON Lines are written in batches (src/cli/line-output.ts): the bytes must be those of the whole
 * report as one string made valid UTF-8, whatever the names hold (names are byte strings, one
 * character per byte: valid UTF-8 sequences, stray bytes, a sequence cut by the end of a line).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { utf8Only } from '../../src/byte-strings.js';
import { LineOutput } from '../../src/cli/line-output.js';

/** A sink keeping each batch as a byte string (a batch's bytes are valid only during the call). */
function collect(chunks: string[]): (b: Uint8Array) => void {
  return (b) => { chunks.push(Buffer.from(b).toString('latin1')); };
}

test('batched lines give the bytes of the whole output', () => {
  const names = ['plain', 'caf\xc3\xa9', 'stray\xff', 'cut\xe2\x82', '\xe2\x82\xac', 'x'.repeat(5000)];
  const lines: string[] = [];
  for (let i = 0; i < 40_000; i++) lines.push(`{"func": "${names[i % names.length]}", "start": ${i}}`);
  const chunks: string[] = [];
  const out = new LineOutput(collect(chunks));
  for (const l of lines) out.line(l);
  out.flush();
  assert.ok(chunks.length > 10, `written in ${chunks.length} batches`);
  for (const c of chunks) assert.ok(c.endsWith('\n'));
  assert.equal(chunks.join(''), utf8Only(`${lines.join('\n')}\n`));
});

test('no lines, no output', () => {
  const chunks: string[] = [];
  const out = new LineOutput(collect(chunks));
  out.flush();
  assert.deepEqual(chunks, []);
});

test('text batches keep the raw bytes, as the whole report would', () => {
  const names = ['plain', 'stray\xff', 'cut\xe2\x82', 'x'.repeat(3000)];
  const lines: string[] = [];
  for (let i = 0; i < 2_000; i++) lines.push(`lib.so: ${names[i % names.length]}: FDE .text 0x${i.toString(16)}`);
  const chunks: string[] = [];
  const out = new LineOutput(collect(chunks), false);
  for (const l of lines) out.line(l);
  out.flush();
  assert.ok(chunks.length > 1);
  assert.equal(chunks.join(''), `${lines.join('\n')}\n`);
});

test('a line longer than a batch is written whole, between the batches around it', () => {
  const long = `${'y'.repeat(3 << 20)}caf\xc3\xa9 stray\xff`;
  const lines = ['first', long, 'last\xe2\x82'];
  for (const utf8 of [true, false]) {
    const chunks: string[] = [];
    const out = new LineOutput(collect(chunks), utf8);
    for (const l of lines) out.line(l);
    out.flush();
    const whole = `${lines.join('\n')}\n`;
    assert.equal(chunks.join(''), utf8 ? utf8Only(whole) : whole);
  }
});
