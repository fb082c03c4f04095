/**
 * Pieces of monitoring-obs.test.ts that need no OBS: run's arguments, a fault through the sandbox's control API
 * and the recovery it caused (timed from run's --json log), /healthz, and describe-if-Prometheus-and-OBS.
 */
import { describe, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeObsSkip, type ObsHandle } from './obs-rig.js';
import { prometheusAvailable } from './prometheus.js';
import { jsonLine, type Spawned } from './spawned.js';
import { waitFor } from './wait-for.js';

export type Line = { state: string; at: string; reason?: string; recovery?: string; level?: string; message?: string };
export const CH = { appId: 'demoApp', channelId: 'room-mon', userId: 'obs-mon' };

export interface Recovered {
  reason: string;
  ms: number;
  kind?: 'kick' | 'remove';
}
export const FAULTS = ['kick', 'remove', 'kick', 'remove'] as const;
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;

/** Asks the sandbox named in ARTC_INGEST_HOME/sandbox.json for a fault on CH. */
export function sandboxFault(env: NodeJS.ProcessEnv, kind: 'kick' | 'remove'): Promise<Response> {
  const sb = JSON.parse(readFileSync(join(env.ARTC_INGEST_HOME!, 'sandbox.json'), 'utf8')) as {
    endpoint: string;
    controlToken: string;
  };
  return fetch(`${sb.endpoint}/_sandbox/fault`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sb.controlToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ kind, ...CH }),
    signal: AbortSignal.timeout(5_000),
  });
}

/** Injects a fault through the sandbox's control API and returns the recovery it caused, timed from run's log. */
export async function faultAndRecover(
  run: Spawned,
  env: NodeJS.ProcessEnv,
  kind: 'kick' | 'remove',
  onTick?: () => Promise<void>,
): Promise<Recovered> {
  const mark = run.lines.length;
  const res = await sandboxFault(env, kind);
  expect(res.status).toBe(200);
  const parsed = () => run.lines.slice(mark).map((l) => jsonLine<Line>(() => true)(l));
  const found = () => {
    const ls = parsed();
    const d = ls.findIndex((o) => o?.recovery !== undefined);
    const l = d < 0 ? -1 : ls.findIndex((o, i) => i > d && o?.state === 'live' && / -> live$/.test(o.message ?? ''));
    return l < 0 ? undefined : { detected: ls[d]!, live: ls[l]! };
  };
  // the caller's probe (e.g. /healthz) runs every 100 ms until live again: it sees the outage as a monitor would
  const r = await waitFor(async () => (await onTick?.(), found()), {
    what: `recovery from the ${kind}`,
    timeoutMs: 60_000,
    intervalMs: 100,
  });
  return { reason: r.detected.recovery!, ms: Date.parse(r.live.at) - Date.parse(r.detected.at) };
}

export async function healthz(
  port: number,
): Promise<{ code: number; body: { status: string; state: string; offAirSeconds: number } }> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
  return { code: res.status, body: (await res.json()) as { status: string; state: string; offAirSeconds: number } };
}

export const describeProm = prometheusAvailable()
  ? describeObsSkip
  : (name: string, fn: () => void) => {
      console.warn(
        `[monitoring] skipping "${name}": /usr/bin/prometheus is not installed (apt-get install prometheus)`,
      );
      describe.skip(name, fn);
    };

/** `run --sandbox --json ... --metrics-listen` against this OBS, plus `extra`. */
export const runArgs = (obs: Pick<ObsHandle, 'url' | 'password'>, metricsPort: number, extra: string[]) => [
  'run',
  '--sandbox',
  '--json',
  '--app-id',
  CH.appId,
  '--channel-id',
  CH.channelId,
  '--user-id',
  CH.userId,
  '--display-name',
  'Monitoring test',
  '--obs-url',
  obs.url,
  '--obs-password',
  obs.password,
  '--poll-interval',
  '1',
  '--metrics-listen',
  `127.0.0.1:${metricsPort}`,
  ...extra,
];
