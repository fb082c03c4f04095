/**
 * What the chaos test reads and waits on (test/helpers/chaos-faults.ts injects the faults): the supervisor's
 * snapshot, the publisher as the sandbox's own state lists it (stats().publishers, never through the API: a
 * probe's call would eat the failures injected for the supervisor), OBS's output, and the waits built on them
 * (stable, recovered, survived), each with a deadline.
 */
import type { SandboxHandle } from '../../script/sandbox/index.js';
import type { ObsClient } from '../../shared/obs-client.js';
import type { ChannelSettings, LogEntry, Snapshot, SupervisorRunner } from '../../shared/supervisor/index.js';
import type { CountingClient } from './chaos.js';
import type { ObsHandle } from './obs-rig.js';
import { waitFor } from './wait-for.js';

export interface Chaos {
  rand: () => number;
  sb: () => SandboxHandle;
  obs: () => ObsHandle;
  setObs: (h: ObsHandle) => void;
  /** the "user": another obs-websocket client, as OBS's own buttons */
  user: ObsClient;
  runner: () => SupervisorRunner;
  /** every action-log entry the supervisor wrote (info and up) */
  entries: LogEntry[];
  client: CountingClient;
  channel: ChannelSettings;
  /** seconds the cloud's clock jumps for an expiry: past the current URL's and the spare's */
  shiftS: number;
  say: (line: string) => void;
}

export function chaosProbes(c: Chaos) {
  const who = { appId: c.channel.appId, channelId: c.channel.channelId, userId: c.channel.userId };
  const snap = (): Snapshot => c.runner().snapshot();
  const listed = () =>
    c
      .sb()
      .stats()
      .publishers.some(
        (p) => p.appId === who.appId && p.channelId === who.channelId && p.userId === who.userId && p.listed,
      );
  const obsActive = async () => {
    const st = await c.user.call('GetStreamStatus').catch(() => null);
    return st !== null && st.outputActive && !st.outputReconnecting;
  };
  const detections = (mark: number) => c.entries.slice(mark).flatMap((e) => (e.recovery ? [e.recovery] : []));

  function alive(s: Snapshot): Snapshot {
    if (s.kind === 'failed' || s.kind === 'idle' || s.kind === 'stopped-by-user') {
      throw new Error(`supervision ended unexpectedly: ${s.kind} (${s.reason}) ${JSON.stringify(s.lastError)}`);
    }
    return s;
  }

  function alive2(s: Snapshot): Snapshot {
    if (s.kind === 'failed' || s.kind === 'idle')
      throw new Error(`supervision failed instead of stopping: ${s.kind} ${JSON.stringify(s.lastError)}`);
    return s;
  }

  /** the first snapshot (now or after a later step) that matches */
  function when(pred: (s: Snapshot) => boolean, what: string, timeoutMs = 15_000): Promise<Snapshot> {
    return new Promise((resolve, reject) => {
      const now = snap();
      if (pred(now)) return resolve(now);
      const off = c.runner().subscribe((s) => {
        if (!pred(s)) return;
        clearTimeout(timer);
        off();
        resolve(s);
      });
      const timer = setTimeout(() => {
        off();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the supervisor is ${snap().kind}`));
      }, timeoutMs);
    });
  }

  /** Live, the publisher present on 2 polls in a row, a spare URL ready, no injected failure pending. */
  async function stable(timeoutMs = 20_000): Promise<void> {
    let seen = 0;
    let last = snap().presence.lastSeenAt;
    const t0 = Date.now();
    let cleared = false;
    await waitFor(
      async () => {
        const s = alive(snap());
        if (s.kind !== 'live') {
          seen = 0;
          return false;
        }
        if (s.presence.status === 'present' && s.presence.lastSeenAt !== last) {
          seen += 1;
          last = s.presence.lastSeenAt;
        }
        const pending = c.sb().stats().pendingFailures;
        if (pending.length > 0 && !cleared && Date.now() - t0 > 10_000) {
          c.say(`injected failures never consumed, cleared: ${JSON.stringify(pending)}`);
          const offset = c.sb().stats().clockOffsetSeconds;
          c.sb().faults.reset(); // also resets the clock shift: put it back
          c.sb().faults.shiftClock(offset);
          cleared = true;
        }
        return seen >= 2 && s.spareExpiresAt !== null && pending.length === 0 && listed() && (await obsActive());
      },
      { what: 'stable: live, present on 2 polls, spare ready, no pending failure', timeoutMs, intervalMs: 50 },
    );
  }

  /** Live again after a detection: a transition out of live (or a detection), then live, listed and OBS active. */
  async function recovered(mark: number, timeoutMs: number): Promise<number> {
    return waitFor(
      async () => {
        const s = alive(snap());
        const w = c.entries.slice(mark);
        const out = w.findIndex(
          (e) => e.recovery !== undefined || (e.from === 'live' && e.to !== undefined && e.to !== 'live'),
        );
        if (out < 0) return false;
        const back = w.slice(out).find((e) => e.to === 'live');
        if (!back || s.kind !== 'live' || !listed() || !(await obsActive())) return false;
        return back.at;
      },
      { what: 'live again (live, listed, OBS active)', timeoutMs, intervalMs: 50 },
    );
  }

  /** No recovery expected: the injected failures consumed, then the publisher seen present while live. */
  async function survived(t0: number): Promise<number> {
    const consumed = await waitFor(() => c.sb().stats().pendingFailures.length === 0 && Date.now(), {
      what: 'the injected failures consumed',
      timeoutMs: 30_000,
    });
    await waitFor(
      () => {
        const s = alive(snap());
        return (
          s.kind === 'live' && s.presence.status === 'present' && (s.presence.lastSeenAt ?? 0) >= consumed && listed()
        );
      },
      { what: 'present again after the burst', timeoutMs: 20_000, intervalMs: 50 },
    );
    return Math.max(t0, snap().presence.lastSeenAt ?? Date.now());
  }

  return { who, snap, listed, obsActive, detections, alive, alive2, when, stable, recovered, survived };
}
