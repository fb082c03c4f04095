import { defineConfig } from 'vitest/config';

// `npm run bench` and `npm run soak`: long runs against the sandbox and a real OBS, never part of `npm test`
// (vitest.config.ts includes only *.test.ts[x]; these entry files have no `.test.`). One file at a time, one
// worker: the figures must not compete with each other for the 2 cores. Console output goes straight to stdout
// so progress shows while it runs.
export default defineConfig({
  test: {
    root: '.',
    include: ['test/bench/bench.ts', 'test/bench/soak.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    maxWorkers: 1,
    disableConsoleIntercept: true,
    reporters: ['default'],
  },
});
