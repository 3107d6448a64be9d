/**
 * Lazy loader for iced-x86 (CommonJS + wasm). Loading it costs tens of milliseconds, so only
 * commands that actually decode x86 pay for it, on first use.
 */
import { createRequire } from 'node:module';

export type Iced = typeof import('iced-x86');

let cached: Iced | undefined;

export function iced(): Iced {
  if (cached === undefined) {
    const require = createRequire(import.meta.url);
    cached = require('iced-x86') as Iced;
  }
  return cached;
}
