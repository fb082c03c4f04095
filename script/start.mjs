#!/usr/bin/env node
/**
 * `npm start [-- serve flags]`: builds when dist/ is missing or older than a source, then runs `serve` (the
 * sandbox when no credentials exist). Plain Node, no dependencies: it runs before anything is built.
 * Stale means: a file under dock/, script/ or shared/ (or the build config, package.json) changed after the
 * oldest of the build's outputs was written.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUTPUTS = ['dist/artc-ingest.mjs', 'dist/artc-ingest.lua', 'dist/dock/index.html'];
const SOURCES = ['dock', 'script', 'shared', 'vite.config.ts', 'package.json', 'package-lock.json', 'tsconfig.json'];

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const e of readdirSync(path)) if (e !== 'node_modules') t = Math.max(t, newest(join(path, e)));
  return t;
}

function staleReason() {
  const missing = OUTPUTS.find((f) => !existsSync(join(root, f)));
  if (missing) return `${missing} is missing`;
  const built = Math.min(...OUTPUTS.map((f) => statSync(join(root, f)).mtimeMs));
  const changed = SOURCES.filter((s) => existsSync(join(root, s))).find((s) => newest(join(root, s)) > built);
  return changed ? `${changed} changed since the last build` : undefined;
}

const why = staleReason();
if (why) {
  console.error(`artc-ingest: building (${why})...`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', '--silent', 'build'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    shell: process.platform === 'win32',
  });
  if (r.status !== 0) {
    console.error(`artc-ingest: the build failed (exit ${r.status ?? r.signal}); nothing started`);
    process.exit(1);
  }
}

// the helper itself, in the foreground: signals reach it, its exit code is ours
const child = spawn(process.execPath, [join(root, 'dist/artc-ingest.mjs'), 'serve', ...process.argv.slice(2)], {
  cwd: process.cwd(),
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 143)));
