/**
 * A tiny subscribable store (no signals library: the bundle budget is tight). The model owns the stores;
 * components read them with `useStore` and never write to them directly.
 */
import { useEffect, useState } from 'preact/hooks';

export interface ReadableStore<T> {
  getSnapshot(): T;
  subscribe(listener: () => void): () => void;
}

export interface Store<T> extends ReadableStore<T> {
  set(next: T): void;
  update(patch: Partial<T>): void;
}

export function createStore<T extends object>(initial: T): Store<T> {
  let state = initial;
  const listeners = new Set<() => void>();
  const set = (next: T) => {
    if (next === state) return;
    state = next;
    for (const l of [...listeners]) l();
  };
  return {
    getSnapshot: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    set,
    update: (patch) => set({ ...state, ...patch }),
  };
}

/** Re-renders the component whenever the store changes. */
export function useStore<T>(store: ReadableStore<T>): T {
  const snapshot = store.getSnapshot();
  const [, force] = useState(0);
  useEffect(() => {
    const rerender = () => force((n) => n + 1);
    const unsubscribe = store.subscribe(rerender);
    // the store may have changed between this render and the subscription
    if (store.getSnapshot() !== snapshot) rerender();
    return unsubscribe;
  }, [store]);
  return snapshot;
}

/** Re-renders every `ms` while mounted (uptime, countdowns); a setTimeout chain, never an overlapping interval. */
export function useTick(ms: number, active = true): void {
  const [, force] = useState(0);
  useEffect(() => {
    if (!active) return;
    let timer: ReturnType<typeof setTimeout>;
    const loop = () => {
      force((n) => n + 1);
      timer = setTimeout(loop, ms);
    };
    timer = setTimeout(loop, ms);
    return () => clearTimeout(timer);
  }, [ms, active]);
}
