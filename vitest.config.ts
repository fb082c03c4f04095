import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

// Vitest has its own config: vite.config.ts sets `root: 'dock'` for the dock build, which would hide test/.
export default defineConfig({
  plugins: [preact()],
  test: {
    root: '.',
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // integration and e2e tests drive one real OBS each: keep files from competing for 2 cores
    fileParallelism: true,
    maxWorkers: 2,
    projects: undefined,
  },
});
