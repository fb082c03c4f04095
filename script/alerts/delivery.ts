/**
 * Alert delivery that never delays supervision: `send()` only enqueues and returns. Each target has its own
 * bounded queue and one worker, so a robot that hangs holds up only its own alerts. Every post has a deadline
 * (5 s), at most 3 tries with exponential backoff and full jitter; each failed try is logged with its reason
 * (the caller puts it in the action log). When a queue is full the oldest alert is dropped, and that is logged.
 */
import { buildPost, describeTarget, type AlertBody, type AlertTarget } from './formats.js';

export interface DeliveryDeps {
  fetch: typeof fetch;
  now: () => number;
  random: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (h: unknown) => void;
  log: (level: 'warn' | 'info', reason: string, message: string) => void;
}

export interface DeliveryOptions {
  deadlineMs?: number;
  maxTries?: number;
  baseDelayMs?: number;
  capacity?: number;
}

export interface AlertDelivery {
  send(alert: AlertBody): void;
  /** resolves when every queue is empty and no post is in flight (tests, orderly shutdown); with a deadline */
  drain(timeoutMs: number): Promise<boolean>;
  /** stops the workers; alerts still queued are dropped */
  close(): void;
}

/** One POST with a deadline: null when the robot took it (2xx), else why not (never the URL: it holds a token). */
export async function postOnce(t: AlertTarget, alert: AlertBody, deps: Pick<DeliveryDeps, 'fetch' | 'now' | 'setTimer' | 'clearTimer'>, deadlineMs = 5_000): Promise<string | null> {
  const { url, body } = buildPost(t, alert, deps.now());
  const ac = new AbortController();
  const timer = deps.setTimer(() => ac.abort(), deadlineMs);
  try {
    const res = await deps.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: ac.signal, redirect: 'error' });
    await res.body?.cancel().catch(() => undefined);
    return res.ok ? null : `HTTP ${res.status}`;
  } catch (e) {
    return ac.signal.aborted ? `no answer within ${deadlineMs / 1000} s` : (e as { cause?: { code?: string } }).cause?.code ?? (e instanceof Error ? e.name : 'error');
  } finally {
    deps.clearTimer(timer);
  }
}

/** `targets` is read on every send: serve's list changes when the dock saves its alert settings. */
export function createDelivery(targets: AlertTarget[] | (() => AlertTarget[]), deps: DeliveryDeps, opts: DeliveryOptions = {}): AlertDelivery {
  const deadlineMs = opts.deadlineMs ?? 5_000;
  const maxTries = opts.maxTries ?? 3;
  const baseDelayMs = opts.baseDelayMs ?? 1_000;
  const capacity = opts.capacity ?? 50;
  let closed = false;
  const idleWaiters = new Set<() => void>();
  const sleep = (ms: number) => new Promise<void>((r) => deps.setTimer(r, ms));

  async function deliver(t: AlertTarget, alert: AlertBody): Promise<void> {
    for (let tryNo = 1; tryNo <= maxTries && !closed; tryNo++) {
      const failure = await postOnce(t, alert, deps, deadlineMs);
      if (failure === null) return;
      const last = tryNo === maxTries;
      deps.log('warn', 'alert-failed', `alert ${alert.event} to ${describeTarget(t)}: try ${tryNo} of ${maxTries} failed (${failure})${last ? '; giving up' : ''}`);
      if (!last) await sleep(deps.random() * baseDelayMs * 2 ** (tryNo - 1) + baseDelayMs / 2);
    }
  }

  type Lane = { t: AlertTarget; queue: AlertBody[]; busy: boolean };
  const byKey = new Map<string, Lane>();
  const lanes: Lane[] = [];
  const laneFor = (t: AlertTarget): Lane => {
    const key = `${t.format} ${t.url}`;
    let lane = byKey.get(key);
    if (!lane) {
      lane = { t, queue: [], busy: false };
      byKey.set(key, lane);
      lanes.push(lane);
    }
    lane.t = t;
    return lane;
  };

  function pump(lane: Lane): void {
    if (lane.busy || closed) return;
    const next = lane.queue.shift();
    if (!next) {
      if (lanes.every((l) => !l.busy && l.queue.length === 0)) for (const w of idleWaiters) w();
      return;
    }
    lane.busy = true;
    void deliver(lane.t, next)
      .catch((e: unknown) => deps.log('warn', 'alert-failed', `alert ${next.event} to ${describeTarget(lane.t)}: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => {
        lane.busy = false;
        pump(lane);
      });
  }

  return {
    send(alert) {
      if (closed) return;
      for (const lane of (typeof targets === 'function' ? targets() : targets).map(laneFor)) {
        if (lane.queue.length >= capacity) {
          const dropped = lane.queue.shift();
          deps.log('warn', 'alert-dropped', `alert queue for ${describeTarget(lane.t)} is full: dropped the oldest (${dropped?.event})`);
        }
        lane.queue.push(alert);
        pump(lane);
      }
    },
    drain(timeoutMs) {
      if (lanes.every((l) => !l.busy && l.queue.length === 0)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (ok: boolean) => {
          idleWaiters.delete(onIdle);
          deps.clearTimer(timer);
          resolve(ok);
        };
        const onIdle = () => done(true);
        const timer = deps.setTimer(() => done(false), timeoutMs);
        idleWaiters.add(onIdle);
      });
    },
    close() {
      closed = true;
      for (const l of lanes) l.queue.length = 0;
      for (const w of idleWaiters) w();
    },
  };
}
