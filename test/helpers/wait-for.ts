/**
 * Polls a real system until a condition holds, with a deadline. Each round awaits the probe (a real response:
 * an API call, an OBS request, a process's output) and then waits `intervalMs` before the next round: the
 * interval is a poll cadence, never a fixed sleep standing in for synchronization.
 *
 *   const users = await waitFor(async () => { const p = await api.describeChannelParticipants(ch); return p.users.includes(u) && p.users; },
 *     { what: 'the publisher in the channel', timeoutMs: 10_000 });
 *
 * The probe returns the value to resolve with, or `undefined` / `null` / `false` to keep polling. A probe that
 * throws ends the wait with that error (no silent retries of real failures).
 */
export interface WaitForOptions {
  /** what is awaited, for the timeout message */
  what?: string;
  /** default 10 s */
  timeoutMs?: number;
  /** poll cadence, default 100 ms */
  intervalMs?: number;
  /** more to say on a timeout (a log's tail), read when it happens */
  context?: () => string;
}

export type Probe<T> = () => T | undefined | null | false | Promise<T | undefined | null | false>;

export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

export async function waitFor<T>(probe: Probe<T>, opts: WaitForOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    const left = deadline - Date.now();
    if (left <= 0) {
      const context = opts.context?.();
      throw new WaitTimeoutError(
        `timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'a condition'}${context ? `\n${context}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
  }
}

/**
 * Timestamped events with a cursor: `next(pred)` resolves with the first event after the cursor that matches
 * (already seen or yet to come), within a deadline, and moves the cursor past it. `mark()` moves the cursor to
 * the end, so later waits only see what happens from then on.
 */
export class EventLog<E> {
  readonly entries: Array<{ event: E; at: number }> = [];
  private cursor = 0;
  private markAt = 0;
  private readonly waiters = new Set<() => void>();

  push(event: E): void {
    this.entries.push({ event, at: Date.now() });
    for (const w of [...this.waiters]) w();
  }

  mark(): void {
    this.cursor = this.markAt = this.entries.length;
  }

  /** events after the cursor (not yet consumed by `next`) */
  since(): E[] {
    return this.entries.slice(this.cursor).map((e) => e.event);
  }

  /** every event since the last `mark()`, consumed or not */
  sinceMark(): E[] {
    return this.entries.slice(this.markAt).map((e) => e.event);
  }

  next(pred: (e: E) => boolean, opts: { what?: string; timeoutMs?: number } = {}): Promise<{ event: E; at: number }> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const check = () => {
        for (let i = this.cursor; i < this.entries.length; i++) {
          const entry = this.entries[i]!;
          if (pred(entry.event)) {
            this.cursor = i + 1;
            done();
            resolve(entry);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new WaitTimeoutError(
            `timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'an event'}; seen since the cursor: ${JSON.stringify(this.since())}`,
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}
