/**
 * Figures that need real processes of the built CLI (dist/artc-ingest.mjs): `run --sandbox` end to end, the
 * helper's cold start and resident memory, and the dock bundle's size.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cleanEnv } from '../../helpers/cli.js';
import { freePort } from '../../helpers/ports.js';
import { jsonLine, spawnCli } from '../../helpers/spawned.js';
import { S, type BenchRig } from './rig.js';

export interface CliGoLive {
  /** spawn -> the process's first output line (Node up, the bundle loaded) */
  firstLine: number;
  /** spawn -> the sandbox it hosts announced (stderr) */
  sandboxUp: number;
  /** spawn -> OBS STARTED (the bench's observer) */
  started: number;
  /** spawn -> the first {"state":"live"} line */
  live: number;
}

/** `node dist/artc-ingest.mjs run --sandbox --json ...` against the rig's OBS, spawn to live; then SIGTERM. */
export async function cliGoLive(rig: BenchRig, userId: string): Promise<CliGoLive> {
  await rig.idle();
  const home = mkdtempSync(join(tmpdir(), 'artc-bench-run-'));
  rig.obsEvents.mark();
  const args = [
    'run',
    '--sandbox',
    '--json',
    '--app-id',
    'benchApp',
    '--channel-id',
    'cli-room',
    '--user-id',
    userId,
    '--display-name',
    'Bench',
    '--obs-url',
    rig.obs.url,
    '--obs-password',
    rig.obs.password,
  ];
  const t0 = Date.now();
  const run = spawnCli(args, cleanEnv(home));
  let firstLine: number | undefined;
  let sandboxUp: number | undefined;
  run.child.stdout!.once('data', () => (firstLine ??= Date.now()));
  run.child.stderr!.on('data', (d: Buffer) => {
    firstLine ??= Date.now();
    if (sandboxUp === undefined && d.toString().includes('sandbox cloud on')) sandboxUp = Date.now();
  });
  try {
    await run.waitForLine(
      jsonLine<{ state: string }>((o) => o.state === 'live'),
      'state live',
      30_000,
    );
    const live = Date.now();
    const started = rig.obsEvents.entries.find((e) => e.at >= t0 && e.event.outputState === S.STARTED);
    if (!started || firstLine === undefined || sandboxUp === undefined) throw new Error('missing a timestamp');
    return { firstLine: firstLine - t0, sandboxUp: sandboxUp - t0, started: started.at - t0, live: live - t0 };
  } finally {
    const code = await run.stop('SIGTERM', 15_000);
    if (code !== 0) rig.warnings.push(`run exited ${code}: ${run.stderr().slice(-500)}`);
    await rig.idle();
    rmSync(home, { recursive: true, force: true });
  }
}

export interface ColdStart {
  /** spawn -> the "Dock URL:" line */
  ms: number;
  /** VmRSS once listening, MB */
  rssMb: number;
}

function vmRssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) / 1024;
}

/**
 * `serve --port <free>`: cloud mode with fake credentials and an endpoint nobody answers (nothing is called at
 * start-up), or `--sandbox` (it starts the emulator and the RTMP ingest). Spawn -> "Dock URL:", then VmRSS.
 */
export async function helperColdStart(mode: 'cloud' | 'sandbox'): Promise<ColdStart> {
  const home = mkdtempSync(join(tmpdir(), 'artc-bench-serve-'));
  const port = await freePort();
  const extra =
    mode === 'cloud'
      ? {
          ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIbenchbenchbenchbench',
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'bench-secret-bench-secret-bench',
          ALIBABA_CLOUD_LIVE_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
        }
      : {};
  const args = ['serve', '--port', String(port), ...(mode === 'sandbox' ? ['--sandbox'] : [])];
  const t0 = Date.now();
  const p = spawnCli(args, cleanEnv(home, extra));
  try {
    await p.waitForLine((l) => l.startsWith('Dock URL:'), 'Dock URL', 15_000);
    const ms = Date.now() - t0;
    // a moment for what the server does right after listening (helper.json, first GC)
    await new Promise((r) => setTimeout(r, 300));
    return { ms, rssMb: vmRssMb(p.child.pid!) };
  } finally {
    await p.stop('SIGTERM', 10_000);
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * dist/dock/assets JS + CSS, gzip level 9 (what vite.config.ts prints): `total` is what the dock loads when it
 * opens (the files index.html names), `lazy` the chunks fetched later (the supervisor on the first Go live or
 * resume, the zh-CN strings when chosen), `supervisor` the supervisor's chunk alone.
 */
export function dockGzipBytes(root: string): {
  total: number;
  lazy: number;
  supervisor: number;
  files: Record<string, number>;
} {
  const dir = join(root, 'dist/dock/assets');
  const html = readFileSync(join(root, 'dist/dock/index.html'), 'utf8');
  const files: Record<string, number> = {};
  let total = 0;
  let lazy = 0;
  let supervisor = 0;
  for (const f of readdirSync(dir)) {
    if (!/\.(js|css)$/.test(f)) continue;
    const gz = (files[f] = gzipSync(readFileSync(join(dir, f)), { level: 9 }).length);
    if (html.includes(`assets/${f}`)) total += gz;
    else lazy += gz;
    if (f.startsWith('supervisor-adapter-')) supervisor += gz;
  }
  return { total, lazy, supervisor, files };
}
