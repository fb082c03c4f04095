/** A clock that only moves when code sleeps on it: retries and backoff run instantly and are countable. */
export function fakeClock(start = Date.UTC(2026, 10, 25, 12, 0, 0)) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
    sleeps,
  };
}

/**
 * Timers on a fake clock (the supervisor's TimerApi shape): `advance` fires what falls due, in order, letting
 * promises settle between (`settle`: by default a few macrotask turns, not a sleep: no time passes on the clock).
 */
export class FakeTimerQueue {
  time: number;
  /** how many armed timers were cleared */
  cleared = 0;
  private seq = 0;
  private readonly queue = new Map<number, { at: number; fn: () => void }>();

  constructor(
    start: number,
    private readonly settle: () => Promise<void> = macrotaskTurns,
  ) {
    this.time = start;
  }

  now = (): number => this.time;

  setTimer = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.queue.set(id, { at: this.time + ms, fn });
    return id;
  };

  clearTimer = (handle: unknown): void => {
    if (this.queue.delete(handle as number)) this.cleared += 1;
  };

  get pending(): number {
    return this.queue.size;
  }

  /** lets promise chains settle */
  flush(): Promise<void> {
    return this.settle();
  }

  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await this.flush();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.queue) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.queue.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = end;
    await this.flush();
  }
}

async function macrotaskTurns(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}
