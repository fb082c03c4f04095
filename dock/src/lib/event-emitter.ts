/**
 * Build-time stand-in for `eventemitter3` inside obs-websocket-js (vite.config.ts aliases it for the dock only).
 * obs-websocket-js uses on/off/once/emit/removeAllListeners, and the shared ObsClient on/off; this covers
 * eventemitter3's API for those (same order, `context` argument, off(event) and off(event, fn) semantics) in a
 * fraction of its size. Pinned against the real eventemitter3 in test/unit/dock-shims.test.ts.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- eventemitter3's listener type: obs-websocket-js passes typed listeners
type Fn = (...args: any[]) => void;
interface Entry {
  fn: Fn;
  context: unknown;
  once: boolean;
}

export class EventEmitter {
  private events = new Map<string | symbol, Entry[]>();

  on(event: string | symbol, fn: Fn, context?: unknown): this {
    return this.add(event, fn, context, false);
  }

  addListener(event: string | symbol, fn: Fn, context?: unknown): this {
    return this.add(event, fn, context, false);
  }

  once(event: string | symbol, fn: Fn, context?: unknown): this {
    return this.add(event, fn, context, true);
  }

  /** Removes the listeners of `event` that match fn (and context, once when given); all of them without fn. */
  off(event: string | symbol, fn?: Fn, context?: unknown, once?: boolean): this {
    const list = this.events.get(event);
    if (!list) return this;
    const keep = fn
      ? list.filter((e) => e.fn !== fn || (once && !e.once) || (context !== undefined && e.context !== context))
      : [];
    if (keep.length) this.events.set(event, keep);
    else this.events.delete(event);
    return this;
  }

  removeListener(event: string | symbol, fn?: Fn, context?: unknown, once?: boolean): this {
    return this.off(event, fn, context, once);
  }

  removeAllListeners(event?: string | symbol): this {
    if (event === undefined) this.events.clear();
    else this.events.delete(event);
    return this;
  }

  emit(event: string | symbol, ...args: unknown[]): boolean {
    const list = this.events.get(event);
    if (!list) return false;
    for (const e of [...list]) {
      if (e.once) this.off(event, e.fn, undefined, true);
      e.fn.apply(e.context ?? this, args);
    }
    return true;
  }

  listeners(event: string | symbol): Fn[] {
    return (this.events.get(event) ?? []).map((e) => e.fn);
  }

  listenerCount(event: string | symbol): number {
    return this.events.get(event)?.length ?? 0;
  }

  eventNames(): Array<string | symbol> {
    return [...this.events.keys()];
  }

  private add(event: string | symbol, fn: Fn, context: unknown, once: boolean): this {
    if (typeof fn !== 'function') throw new TypeError('The listener must be a function');
    const list = this.events.get(event);
    const entry = { fn, context, once };
    if (list) list.push(entry);
    else this.events.set(event, [entry]);
    return this;
  }
}

export default EventEmitter;
