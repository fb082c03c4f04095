#!/usr/bin/env node
/**
 * `npm run soak -- --faults N [--seed S]`: Vitest does not pass unknown flags through, so this launcher turns
 * them into ARTC_SOAK_FAULTS / ARTC_CHAOS_SEED and runs test/bench/soak.ts with the bench config.
 * Default N = 50 (a few minutes); the long run is --faults 1000.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { faults: { type: 'string', default: '50' }, seed: { type: 'string' } } });
if (!/^\d+$/.test(values.faults) || Number(values.faults) < 1) {
  console.error(`--faults: a whole number >= 1, got "${values.faults}"`);
  process.exit(2);
}
const root = fileURLToPath(new URL('../..', import.meta.url));
const env = {
  ...process.env,
  ARTC_SOAK_FAULTS: values.faults,
  ...(values.seed !== undefined ? { ARTC_CHAOS_SEED: values.seed } : {}),
};
const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const child = spawn(process.execPath, [vitest, 'run', '--config', 'vitest.bench.config.ts', 'test/bench/soak.ts'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
