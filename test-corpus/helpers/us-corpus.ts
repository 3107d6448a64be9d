/**
 * The userspace corpus as the tests see it: every finished code base build under
 * $CORPUS_DIR/us/<arch>-<cc>-<opt>/<codebase>/ (SQLite from the shared corpus script, the others from
 * corpus/extra-codebases.sh), and in each, the files with their compiler-derived truth beside them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS } from './objtool-tools.js';

export const US_ROOT = join(CORPUS, 'us');

/** Code bases corpus/extra-codebases.sh builds (besides SQLite). */
export const EXTRA_CODEBASES = ['expat', 'tree-sitter-javascript', 'dtc'] as const;

export interface UsBuild {
  /** `<arch>-<cc>-<opt>`, e.g. `x86_64-gcc12-O2-pic` */
  build: string;
  codebase: string;
  dir: string;
}

/** Every finished build (a `build.ok` beside it), sorted by code base, then build. */
export function usBuilds(root = US_ROOT): UsBuild[] {
  if (!existsSync(root)) return [];
  const out: UsBuild[] = [];
  for (const build of readdirSync(root)) {
    if (build === 'src' || !/^(x86_64|aarch64)-/.test(build)) continue;
    let names: string[];
    try { names = readdirSync(join(root, build)); } catch { continue; }
    for (const codebase of names) {
      const dir = join(root, build, codebase);
      if (existsSync(join(dir, 'build.ok'))) out.push({ build, codebase, dir });
    }
  }
  return out.sort((a, b) => a.codebase.localeCompare(b.codebase) || a.build.localeCompare(b.build));
}

/** Code bases with at least one finished build, SQLite first. */
export function usCodebases(builds: readonly UsBuild[]): string[] {
  const names = [...new Set(builds.map((b) => b.codebase))].sort();
  return [...names.filter((n) => n === 'sqlite'), ...names.filter((n) => n !== 'sqlite')];
}

/**
 * Why an extra code base has no finished build here (the script's `.unavailable` marker when its sources
 * could not be had, or not built at all), or undefined when it has builds.
 */
export function whyMissing(codebase: string, builds: readonly UsBuild[], root = US_ROOT): string | undefined {
  if (builds.some((b) => b.codebase === codebase)) return undefined;
  const marker = join(root, 'src', `${codebase}.unavailable`);
  if (existsSync(marker)) return `${codebase}: ${readFileSync(marker, 'utf8').trim()} (corpus/extra-codebases.sh)`;
  return `${codebase}: not built (run corpus/extra-codebases.sh)`;
}

/**
 * The analysed file for each `X.jt.json` in a build: `X.o` for a source file's truth, `X` for a linked
 * file's (libfoo.so, foo-nopie), objects first.
 */
export function jumpTablePairs(dir: string): { file: string; truth: string }[] {
  return pairs(dir, '.jt.json', (stem) => [`${stem}.o`, stem]);
}

/** The analysed file for each `X.cfa.jsonl` (X is the file's own name: `sqlite3.o`, `libsqlite3.so`). */
export function cfaPairs(dir: string): { file: string; oracle: string }[] {
  return pairs(dir, '.cfa.jsonl', (stem) => [stem]).map(({ file, truth }) => ({ file, oracle: truth }));
}

function pairs(dir: string, suffix: string, candidates: (stem: string) => string[]): { file: string; truth: string }[] {
  const out: { file: string; truth: string }[] = [];
  for (const n of readdirSync(dir).sort()) {
    if (!n.endsWith(suffix)) continue;
    const stem = n.slice(0, -suffix.length);
    const file = candidates(stem).find((c) => existsSync(join(dir, c)));
    if (file) out.push({ file: join(dir, file), truth: join(dir, n) });
  }
  // objects before linked files: a table missed in an object is then reported first
  return out.sort((a, b) => Number(!a.file.endsWith('.o')) - Number(!b.file.endsWith('.o')) || a.file.localeCompare(b.file));
}
