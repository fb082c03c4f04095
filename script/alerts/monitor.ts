/**
 * Turns the supervisor's snapshots into alert events: `off-air` once an outage has lasted `afterMs` (a timer,
 * since no snapshot comes while nothing happens), `back-live` only after an `off-air` was sent, `supervision-failed`
 * when the supervisor gives up, `storm` when the storm guard is flagged. Each fires once per episode. Messages
 * pass through `scrub` so nothing secret (stream key, auth_key) can reach a chat room.
 */
import type { Snapshot } from '../../shared/supervisor/index.js';
import { downSince } from '../metrics/healthz.js';
import type { AlertBody, AlertEventName } from './formats.js';

export interface MonitorDeps {
  send: (alert: AlertBody) => void;
  now: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (h: unknown) => void;
  afterMs: number;
  /** strings that must never leave the machine (the current stream key, tokens) */
  secrets?: () => Array<string | undefined>;
}

export interface AlertMonitor {
  observe(s: Snapshot): void;
  dispose(): void;
}

/** Removes known secrets and anything that looks like an auth_key/token parameter. */
export function scrub(text: string, secrets: Array<string | undefined>): string {
  let out = text.replace(/((?:auth_key|access_token|token|sign)=)[^&\s"]+/gi, '$1***');
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}

/** Sends one alert about the snapshot's channel, with secrets (the stream key, the deps' own) scrubbed out. */
function sendAlert(
  d: MonitorDeps,
  event: AlertEventName,
  s: Snapshot,
  reason: string,
  message: string,
  offAirMs: number,
): void {
  const ch = s.channel;
  const secrets = [s.url?.streamKey, ...(d.secrets?.() ?? [])];
  d.send({
    event,
    at: new Date(d.now()).toISOString(),
    appId: ch?.appId ?? '',
    channelId: ch?.channelId ?? '',
    userId: ch?.userId ?? '',
    reason: scrub(reason, secrets),
    message: scrub(message, secrets),
    offAirSeconds: Math.max(0, Math.round(offAirMs / 100) / 10),
  });
}

/** The supervisor gave up (state failed). */
function alertFailed(d: MonitorDeps, s: Snapshot, offAirMs: number): void {
  const message = `the supervisor gave up and needs you: ${s.lastError?.message ?? s.reason}`;
  sendAlert(d, 'supervision-failed', s, s.lastError?.code ?? s.reason, message, offAirMs);
}

/** The publisher is being removed again and again: recoveries are slowed down. */
function alertStorm(d: MonitorDeps, s: Snapshot): void {
  const message = `removed again and again: ${s.counters.recoveries} recoveries so far; recoveries are being slowed down`;
  sendAlert(d, 'storm', s, 'storm', message, 0);
}

export function createMonitor(d: MonitorDeps): AlertMonitor {
  let last: Snapshot | null = null;
  let outage: { since: number; timer: unknown; sent: boolean } | null = null;
  let failedSent = false;
  let stormSent = false;

  function endOutage(s: Snapshot): void {
    if (!outage) return;
    d.clearTimer(outage.timer);
    if (outage.sent && s.kind === 'live')
      sendAlert(d, 'back-live', s, s.reason, 'the publisher is back in the channel', d.now() - outage.since);
    outage = null;
  }

  function offAirDue(): void {
    const s = last;
    if (!s || !outage || outage.sent) return;
    outage.sent = true;
    const why = s.lastError ? `${s.lastError.code}: ${s.lastError.message}` : `supervisor ${s.kind} (${s.reason})`;
    sendAlert(
      d,
      'off-air',
      s,
      s.trigger ?? s.reason,
      `off air for more than ${Math.round(d.afterMs / 1000)} s; ${why}`,
      d.now() - outage.since,
    );
  }

  return {
    observe(s) {
      last = s;
      if (s.kind === 'failed' && !failedSent) {
        failedSent = true;
        alertFailed(d, s, outage ? d.now() - outage.since : 0);
      }
      if (s.kind !== 'failed') failedSent = false;
      if (s.storming && !stormSent) alertStorm(d, s);
      stormSent = s.storming;
      const since = downSince(s);
      if (since === null) return endOutage(s);
      if (outage) return;
      const wait = Math.max(0, since + d.afterMs - d.now());
      outage = { since, sent: false, timer: d.setTimer(offAirDue, wait) };
    },
    dispose() {
      if (outage) d.clearTimer(outage.timer);
      outage = null;
    },
  };
}
