/**
 * The command line: dispatch and exit statuses, objtool's option handling (builtin-check.c
 * opts_valid/mnop_opts_valid and parse-options' messages), and bad files as one line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkCommand } from '../../src/cli/check.js';
import { main } from '../../src/cli/main.js';
import { objtoolCommand } from '../../src/cli/objtool.js';
import { unwindCommand } from '../../src/cli/unwind.js';
import { cleanFrame, modifiedReturn } from '../fixtures/core/objects.js';

const dir = mkdtempSync(join(tmpdir(), 'objflow-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

interface Captured { out: string; err: string; streams: { out(s: string): void; err(s: string): void } }

function io(): Captured {
  const r: Captured = {
    out: '', err: '',
    streams: { out: (s: string): void => { r.out += s; }, err: (s: string): void => { r.err += s; } },
  };
  return r;
}

/** Runs `main` with process.stdout/stderr captured. */
async function runMain(argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const w1 = process.stdout.write;
  const w2 = process.stderr.write;
  process.stdout.write = ((s: string | Uint8Array): boolean => { out += String(s); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array): boolean => { err += String(s); return true; }) as typeof process.stderr.write;
  try {
    const status = await main(argv);
    return { status, out, err };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
}

test('help: usage on stdout, status 0; no command: usage, status 2; unknown command: status 2', async () => {
  const h = await runMain(['help']);
  assert.equal(h.status, 0);
  assert.match(h.out, /^usage: objflow <command>/);
  assert.equal(h.err, '');
  const none = await runMain([]);
  assert.equal(none.status, 2);
  const bad = await runMain(['frobnicate']);
  assert.equal(bad.status, 2);
  assert.match(bad.err, /^objflow: unknown command 'frobnicate'\n/);
  assert.equal(bad.out, '');
});

const USAGE_HEAD = '\n Usage: objtool <actions> [<options>] file.o\n';

test('COMMAND --help: the usage on stdout, status 0 (objtool keeps objtool\'s own --help)', async () => {
  for (const cmd of ['check', 'unwind', 'verify', 'jumptables', 'orc']) {
    for (const flag of ['--help', '-h']) {
      const r = await runMain([cmd, flag]);
      assert.equal(r.status, 0, `${cmd} ${flag}`);
      assert.match(r.out, /^usage: objflow <command>/);
      assert.match(r.out, /--synchronous/);
      assert.equal(r.err, '');
    }
  }
});

test('objtool: unknown long option or switch: parse-options\' error, usage on stderr, status 2', async () => {
  const a = io();
  assert.equal(await objtoolCommand(['--bogus', 'x.o'], a.streams), 2);
  assert.ok(a.err.startsWith(`  Error: unknown option \`bogus'\n${USAGE_HEAD}`), a.err);
  assert.match(a.err, /--stackval +validate frame pointer rules/);
  assert.equal(a.out, '');
  const b = io();
  assert.equal(await objtoolCommand(['-sx', 'x.o'], b.streams), 2);
  assert.ok(b.err.startsWith(`  Error: unknown switch \`x'\n${USAGE_HEAD}`), b.err);
});

test('objtool: no file, or two files: usage, status 2', async () => {
  const a = io();
  assert.equal(await objtoolCommand(['--stackval'], a.streams), 2);
  assert.ok(a.err.startsWith(USAGE_HEAD));
  const b = io();
  assert.equal(await objtoolCommand(['--stackval', 'a.o', 'b.o'], b.streams), 2);
});

test('objtool: action rules are objtool\'s, in its order, status 1', async () => {
  const cases: [string[], string][] = [
    [['-s', '--dump', 'x.o'], "error: objtool: --dump can't be combined with other actions\n"],
    [['--dump=orc', '--orc', 'x.o'], "error: objtool: --dump can't be combined with other actions\n"],
    [['x.o'], 'error: objtool: At least one action required\n'],
    [['--verbose', '--link', 'x.o'], 'error: objtool: At least one action required\n'],
    [['--unret', 'x.o'], 'error: objtool: --unret requires --rethunk\n'],
    [['--cfi', 'x.o'], 'error: objtool: At least one action required\n'],
  ];
  for (const [argv, text] of cases) {
    const a = io();
    assert.equal(await objtoolCommand(argv, a.streams), 1, argv.join(' '));
    assert.equal(a.err, text, argv.join(' '));
    assert.equal(a.out, '');
  }
});

test('objtool: --mnop without --mcount is refused once the file is open', async () => {
  const f = file('mnop.o', cleanFrame());
  const a = io();
  assert.equal(await objtoolCommand(['-s', '--mnop', f], a.streams), 1);
  assert.equal(a.err, 'error: objtool: --mnop requires --mcount\n');
});

test('objtool: --noinstr, --ibt and --unret need --link (vmlinux.o), as objtool says once the file is open', async () => {
  const bytes = cleanFrame();
  const f = file('link.o', bytes);
  const cases: [string[], string][] = [
    [['--noinstr'], 'error: objtool: --noinstr requires --link\n'],
    [['--ibt'], 'error: objtool: --ibt requires --link\n'],
    [['--noinstr', '--ibt'], 'error: objtool: --noinstr requires --link\n'],
    [['--unret', '--rethunk'], 'error: objtool: --unret requires --link\n'],
    [['--unret', '--orc'], 'error: objtool: --unret requires --link\n'],
  ];
  for (const [argv, text] of cases) {
    const a = io();
    assert.equal(await objtoolCommand([...argv, f], a.streams), 1, argv.join(' '));
    assert.equal(a.err, text, argv.join(' '));
  }
  const a = io();
  assert.equal(await objtoolCommand(['--noinstr', '--unret', '--link', f], a.streams), 0);
  assert.equal(await objtoolCommand(['--ibt', '--link', f], a.streams), 0);
  assert.equal(a.err, '');
  assert.deepEqual(new Uint8Array(readFileSync(f)), bytes);
});

test('objtool: a missing file is one line', async () => {
  const a = io();
  const f = join(dir, 'missing.o');
  assert.equal(await objtoolCommand(['-s', f], a.streams), 1);
  assert.equal(a.err, `objflow: ${f}: No such file or directory\n`);
});

test('objtool --stackval --dry-run: warnings on stderr, status 0, file unchanged', async () => {
  const bytes = modifiedReturn();
  const f = file('modret.o', bytes);
  const a = io();
  assert.equal(await objtoolCommand(['--stackval', '--dry-run', f], a.streams), 0);
  assert.equal(a.err, `${f}: warning: objtool: modret+0x1: return with modified stack frame\n`);
  assert.equal(a.out, '');
  assert.deepEqual(new Uint8Array(readFileSync(f)), bytes);
});

test('check / unwind on a missing file: one line "objflow: FILE: reason", status 2', async () => {
  const f = join(dir, 'nope.o');
  for (const cmd of [checkCommand, unwindCommand]) {
    const a = io();
    const argv = cmd === unwindCommand ? ['--format', 'json', f] : [f];
    assert.equal(await cmd(argv, a.streams), 2);
    assert.equal(a.err, `objflow: ${f}: No such file or directory\n`);
    assert.equal(a.out, '');
  }
  // not an ELF file
  const junk = file('junk.o', new TextEncoder().encode('not an elf file at all, just text\n'));
  const a = io();
  assert.equal(await checkCommand([junk], a.streams), 2);
  assert.match(a.err, new RegExp(`^objflow: ${junk.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: [^\n]+\n$`));
});

test('check: usage errors are status 2', async () => {
  const a = io();
  assert.equal(await checkCommand(['--bogus', 'x.o'], a.streams), 2);
  assert.equal(a.err, 'objflow: check: unknown option --bogus\n');
  const b = io();
  assert.equal(await checkCommand(['--format', 'xml', 'x.o'], b.streams), 2);
  const c = io();
  assert.equal(await checkCommand([], c.streams), 2);
  const d = io();
  assert.equal(await unwindCommand(['--format', 'text', 'x.o'], d.streams), 2);
});

test('check: clean file status 0 and silent; findings status 1 in text, json and sarif', async () => {
  const clean = file('clean.o', cleanFrame());
  const a = io();
  assert.equal(await checkCommand([clean], a.streams), 0);
  assert.deepEqual([a.out, a.err], ['', '']);
  const bad = file('bad.o', modifiedReturn());
  const t = io();
  assert.equal(await checkCommand([bad], t.streams), 1);
  assert.equal(t.err, `${bad}: warning: objtool: modret+0x1: return with modified stack frame\n`);
  const j = io();
  assert.equal(await checkCommand(['--format', 'json', bad, clean], j.streams), 1);
  const lines = j.out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines.map((l) => l.summary ?? l.message), [
    'return with modified stack frame', { file: bad, warnings: 1 }, { file: clean, warnings: 0 },
  ]);
  const s = io();
  assert.equal(await checkCommand(['--format=sarif', bad], s.streams), 1);
  const log = JSON.parse(s.out) as { version: string; runs: { results: { message: { text: string } }[] }[] };
  assert.equal(log.version, '2.1.0');
  assert.deepEqual(log.runs[0].results.map((r) => r.message.text), ['return with modified stack frame']);
});
