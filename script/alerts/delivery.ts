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
export async function postOnce(
  t: AlertTarget,
  alert: AlertBody,
  deps: Pick<DeliveryDeps, 'fetch' | 'now' | 'setTimer' | 'clearTimer'>,
  deadlineMs = 5_000,
  cancel?: AbortSignal,
): Promise<string | null> {
  const { url, body } = buildPost(t, alert, deps.now());
  const ac = new AbortController();
  const timer = deps.setTimer(() => ac.abort(), deadlineMs);
  // close() cancels a post in flight: a hung robot must not keep the process alive after shutdown
  cancel?.addEventListener('abort', () => ac.abort(), { once: true });
  try {
    const res = await deps.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: ac.signal,
      redirect: 'error',
    });
    await res.body?.cancel().catch(() => undefined);
    return res.ok ? null : `HTTP ${res.status}`;
  } catch (e) {
    return ac.signal.aborted
      ? `no answer within ${deadlineMs / 1000} s`
      : ((e as { cause?: { code?: string } }).cause?.code ?? (e instanceof Error ? e.name : 'error'));
  } finally {
    deps.clearTimer(timer);
  }
}

interface Settings {
  deadlineMs: number;
  maxTries: number;
  baseDelayMs: number;
  capacity: number;
}

/** One target's queue and its single worker: alerts to one robot go out in order, one at a time. */
class Lane {
  private readonly queue: AlertBody[] = [];
  private busy = false;
  private readonly cancel = new AbortController();
  private backoff: { timer: unknown; wake: () => void } | null = null;
  closed = false;

  constructor(
    public target: AlertTarget,
    private readonly deps: DeliveryDeps,
    private readonly s: Settings,
    private readonly onIdle: () => void,
  ) {}

  get idle(): boolean {
    return !this.busy && this.queue.length === 0;
  }

  push(alert: AlertBody): void {
    if (this.queue.length >= this.s.capacity) {
      const dropped = this.queue.shift();
      this.deps.log(
        'warn',
        'alert-dropped',
        `alert queue for ${describeTarget(this.target)} is full: dropped the oldest (${dropped?.event})`,
      );
    }
    this.queue.push(alert);
    this.pump();
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.cancel.abort();
    if (this.backoff) {
      this.deps.clearTimer(this.backoff.timer);
      this.backoff.wake();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((wake) => {
      const timer = this.deps.setTimer(() => ((this.backoff = null), wake()), ms);
      this.backoff = { timer, wake };
    });
  }

  private pump(): void {
    if (this.busy || this.closed) return;
    const next = this.queue.shift();
    if (!next) return this.onIdle();
    this.busy = true;
    void this.deliver(next)
      .catch((e: unknown) =>
        this.deps.log(
          'warn',
          'alert-failed',
          `alert ${next.event} to ${describeTarget(this.target)}: ${e instanceof Error ? e.message : String(e)}`,
        ),
      )
      .finally(() => {
        this.busy = false;
        this.pump();
      });
  }

  private async deliver(alert: AlertBody): Promise<void> {
    const { maxTries, baseDelayMs, deadlineMs } = this.s;
    for (let tryNo = 1; tryNo <= maxTries && !this.closed; tryNo++) {
      const failure = await postOnce(this.target, alert, this.deps, deadlineMs, this.cancel.signal);
      if (failure === null || this.closed) return;
      const last = tryNo === maxTries;
      this.deps.log(
        'warn',
        'alert-failed',
        `alert ${alert.event} to ${describeTarget(this.target)}: try ${tryNo} of ${maxTries} failed (${failure})${last ? '; giving up' : ''}`,
      );
      // exponential backoff with jitter, never under half the base (a robot that just failed gets a breath)
      if (!last) await this.sleep(this.deps.random() * baseDelayMs * 2 ** (tryNo - 1) + baseDelayMs / 2);
    }
  }
}

/** `targets` is read on every send: serve's list changes when the dock saves its alert settings. */
export function createDelivery(
  targets: AlertTarget[] | (() => AlertTarget[]),
  deps: DeliveryDeps,
  opts: DeliveryOptions = {},
): AlertDelivery {
  const settings: Settings = {
    deadlineMs: opts.deadlineMs ?? 5_000,
    maxTries: opts.maxTries ?? 3,
    baseDelayMs: opts.baseDelayMs ?? 1_000,
    capacity: opts.capacity ?? 50,
  };
  let closed = false;
  const idleWaiters = new Set<() => void>();
  const lanes = new Map<string, Lane>();
  const allIdle = () => [...lanes.values()].every((l) => l.idle);
  const onIdle = () => allIdle() && idleWaiters.forEach((w) => w());
  const laneFor = (t: AlertTarget): Lane => {
    const key = `${t.format} ${t.url}`;
    const lane = lanes.get(key) ?? new Lane(t, deps, settings, onIdle);
    lanes.set(key, lane);
    lane.target = t;
    return lane;
  };
  return {
    send(alert) {
      if (closed) return;
      for (const lane of (typeof targets === 'function' ? targets() : targets).map(laneFor)) lane.push(alert);
    },
    drain(timeoutMs) {
      if (allIdle()) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (ok: boolean) => {
          idleWaiters.delete(waiter);
          deps.clearTimer(timer);
          resolve(ok);
        };
        const waiter = () => done(true);
        const timer = deps.setTimer(() => done(false), timeoutMs);
        idleWaiters.add(waiter);
      });
    },
    close() {
      closed = true;
      for (const l of lanes.values()) l.close();
      for (const w of idleWaiters) w();
    },
  };
}
