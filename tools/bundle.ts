/**
 * Builds the fast start-up path that bin/objflow-fast.cjs and bin/objflow-objtool load (run by
 * `npm ci` through "prepare", and by `npm run build`, after tsc):
 *   dist/objflow.cjs        tsc's output of the CLI bundled into one CommonJS file (esbuild);
 *   dist/objflow.cjs.cache  V8's code cache for it, made after warm-up runs so that it holds the
 *                           compiled functions of a typical run, not only the top level.
 * iced-x86 stays outside the bundle: it is CommonJS + wasm, loaded lazily by the slow paths only.
 */
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const dist = join(repo, 'dist');
const BUNDLE = join(dist, 'objflow.cjs');
/**
 * Built-in modules that cost milliseconds to load and that most runs never call: in the bundle they
 * are loaded on first call instead of at import time. node:v8 (~4 ms of CPU on Node 20: it pulls in
 * the stream machinery) serves only objtool's heap tuning.
 */
const LAZY_BUILTINS = ['node:v8'];
/**
 * `__dirname` is dist/ (the loader passes it), so a module's URL is dist/ + its path there. The banner
 * comes before esbuild's own "use strict", so it repeats the directive: ES modules are strict code.
 */
const MODULE_URL_HELPER =
  '"use strict";\nvar __objflowModuleUrl = (rel) => require("node:url").pathToFileURL(require("node:path").join(__dirname, rel)).href;';

main().catch((e: unknown) => {
  process.stderr.write(`bundle: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});

async function main(): Promise<void> {
  const result = await build({
    entryPoints: [join(dist, 'tools', 'bundle-entry.js')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['iced-x86'],
    write: false,
    outfile: BUNDLE,
    logLevel: 'warning',
    legalComments: 'none',
    plugins: [moduleUrls(), lazyBuiltins(LAZY_BUILTINS)],
    banner: { js: MODULE_URL_HELPER },
  });
  const code = result.outputFiles.find((f) => f.path === BUNDLE);
  if (!code) throw new Error('esbuild wrote no bundle');
  if (/\bimport\(/.test(code.text)) throw new Error('the bundle still holds a dynamic import(), which the vm.Script loader cannot run');
  writeAtomically(BUNDLE, code.contents);
  rmSync(`${BUNDLE}.cache`, { force: true });
  // The cache must come from a process with the launcher's V8 flags (none), hence a child process
  // without NODE_OPTIONS. The warm-up runs print the examples' warnings: shown only if it fails.
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const warm = spawnSync(process.execPath, [join(here, 'bundle-warmup.js')], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env });
  if (warm.status !== 0) throw new Error(`warm-up failed (status ${warm.status ?? warm.signal}):\n${warm.stderr}`);
  const probe = `process.stdout.write(String(require(${JSON.stringify(join(repo, 'bin', 'objflow-fast.cjs'))}).load().cacheRejected))`;
  const check = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', env });
  if (check.stdout !== 'false') process.stderr.write(`bundle: warning: V8 does not accept the code cache it just made (${check.stdout}${check.stderr}); start-up will compile from source\n`);
  const size = (p: string): string => `${(readFileSync(p).length / 1024).toFixed(0)} KB`;
  process.stdout.write(`bundle: ${relative(repo, BUNDLE)} ${size(BUNDLE)}, code cache ${size(`${BUNDLE}.cache`)}\n`);
}

/**
 * Every module keeps its own `import.meta.url` in the CommonJS bundle: the URL of its tsc output beside
 * the bundle (dist/src/...), so that paths relative to a module (package.json, iced-x86) resolve as before.
 */
function moduleUrls(): Plugin {
  return {
    name: 'module-urls',
    setup(b) {
      b.onLoad({ filter: /\.js$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url') || !args.path.startsWith(dist + sep)) return undefined;
        const rel = relative(dist, args.path).split(sep).join('/');
        return { contents: text.replaceAll('import.meta.url', `__objflowModuleUrl(${JSON.stringify(rel)})`), loader: 'js' };
      });
    },
  };
}

/**
 * Imports of the given built-ins resolve to a stand-in whose functions load the real module on their
 * first call. Only functions are offered: importing anything else from them fails the build.
 */
function lazyBuiltins(names: readonly string[]): Plugin {
  const ns = 'lazy-builtin';
  const requireHere = createRequire(import.meta.url);
  return {
    name: 'lazy-builtins',
    setup(b) {
      const filter = new RegExp(`^(${names.map((n) => n.replace(/[^a-z0-9]/gi, '\\$&')).join('|')})$`);
      b.onResolve({ filter }, (args) => (args.namespace === ns ? { path: args.path, external: true } : { path: args.path, namespace: ns }));
      b.onLoad({ filter: /.*/, namespace: ns }, (args) => {
        const real = requireHere(args.path) as Record<string, unknown>;
        const fns = Object.keys(real).filter((k) => typeof real[k] === 'function' && /^[A-Za-z_$][\w$]*$/.test(k));
        const lines = [`let m; const load = () => (m ??= require(${JSON.stringify(args.path)}));`];
        // `new.target`: some exports are classes
        for (const k of fns) lines.push(`export function ${k}(...a) { return new.target ? Reflect.construct(load().${k}, a, new.target) : load().${k}(...a); }`);
        return { contents: lines.join('\n'), loader: 'js' };
      });
    },
  };
}

function writeAtomically(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}
