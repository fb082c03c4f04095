/**
 * The action log: a ring buffer of what the supervisor did and why (every transition, detection, failure,
 * with RequestIds), counters that survive the ring (recoveries by reason, time off-air), and a JSON-lines
 * export for bug reports. Entries never hold a stream key (step never logs one).
 */
import type { DetectionReason, LogFields, LogLevel, StateKind } from './types.js';

export interface LogEntry extends LogFields {
  /** ms since epoch */
  at: number;
  /** the state after the step that wrote this entry */
  state?: StateKind;
}

export interface Counters {
  recoveries: number;
  recoveriesByReason: Partial<Record<DetectionReason, number>>;
  /** closed off-air periods, ms (the snapshot adds the one still open) */
  offAirMs: number;
  lastRecoveryAt: number | null;
}

export interface ActionLogOptions {
  /** entries kept, oldest dropped first; default 1000 */
  capacity?: number;
  /** entries below this level are not kept (counters still count); default 'info' */
  minLevel?: LogLevel;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export class ActionLog {
  readonly capacity: number;
  private readonly minRank: number;
  private readonly ring: LogEntry[] = [];
  private head = 0;
  private total: Counters = { recoveries: 0, recoveriesByReason: {}, offAirMs: 0, lastRecoveryAt: null };
  private readonly listeners = new Set<(entry: LogEntry) => void>();

  constructor(opts: ActionLogOptions = {}) {
    const capacity = opts.capacity ?? 1000;
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('ActionLog capacity must be a whole number >= 1');
    this.capacity = capacity;
    this.minRank = RANK[opts.minLevel ?? 'info'];
  }

  append(entry: LogEntry): void {
    this.count(entry);
    if (RANK[entry.level] < this.minRank) return;
    if (this.ring.length < this.capacity) this.ring.push(entry);
    else {
      this.ring[this.head] = entry;
      this.head = (this.head + 1) % this.capacity;
    }
    for (const fn of this.listeners) fn(entry);
  }

  /** Oldest first; `limit` keeps the newest ones. */
  entries(limit = this.capacity): LogEntry[] {
    const ordered = [...this.ring.slice(this.head), ...this.ring.slice(0, this.head)];
    return limit >= ordered.length ? ordered : ordered.slice(ordered.length - limit);
  }

  counters(): Counters {
    return { ...this.total, recoveriesByReason: { ...this.total.recoveriesByReason } };
  }

  /** One JSON object per line, oldest first, newline-terminated: the dock's "Export" and `run --log`. */
  toJsonLines(limit?: number): string {
    return this.entries(limit)
      .map((e) => `${JSON.stringify(e)}\n`)
      .join('');
  }

  subscribe(fn: (entry: LogEntry) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private count(entry: LogEntry): void {
    const t = this.total;
    if (entry.recovery) {
      t.recoveries += 1;
      t.recoveriesByReason[entry.recovery] = (t.recoveriesByReason[entry.recovery] ?? 0) + 1;
      t.lastRecoveryAt = entry.at;
    }
    if (entry.offAirMs !== undefined && entry.offAirMs > 0) t.offAirMs += entry.offAirMs;
  }
}
