/**
 * A real Prometheus (Debian's /usr/bin/prometheus) for tests: a temp config scraping the given targets every
 * second, a temp TSDB, the web API on a free loopback port; queried through its own HTTP API. Stopped by PID.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { waitFor } from './wait-for.js';

export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';
export const prometheusAvailable = (): boolean => existsSync(PROMETHEUS) && existsSync(PROMTOOL);

export interface PromHandle {
  url: string;
  /** instant query: [labels, value] per series */
  query(q: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  log(): string;
  stop(): Promise<void>;
}

export async function startPrometheus(targets: string[]): Promise<PromHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'artc-prom-'));
  const port = await freePort();
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    'scrape_configs:',
    '  - job_name: artc',
    '    static_configs:',
    `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config);
  let out = '';
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) }).catch(() => null))?.ok,
    { what: 'Prometheus ready', timeoutMs: 30_000, intervalMs: 200 },
  );
  return {
    url,
    async query(q) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`, {
        signal: AbortSignal.timeout(5_000),
      });
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      };
      if (body.status !== 'success') throw new Error(`Prometheus query ${q}: ${body.error}`);
      return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    log: () => out,
    async stop() {
      if (child.exitCode === null && child.pid) {
        process.kill(child.pid, 'SIGTERM');
        const t = setTimeout(() => child.pid && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `promtool check metrics` on an exposition: its findings ('' when clean) and exit status. */
export function promtoolCheck(text: string): { status: number | null; findings: string } {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, findings: (r.stdout + r.stderr).trim() };
}

/** Only the families whose name starts with `prefix` (HELP/TYPE lines and samples). */
export function familiesOf(text: string, prefix: string): string {
  return (
    text
      .split('\n')
      .filter((l) => l.startsWith(prefix) || l.startsWith(`# HELP ${prefix}`) || l.startsWith(`# TYPE ${prefix}`))
      .join('\n') + '\n'
  );
}
