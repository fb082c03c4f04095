/**
 * Shuts the helper down when the process that started it (OBS, via its Lua script) is gone, so no orphan
 * keeps the port. A setTimeout chain, not setInterval: one check at a time, and stopping is exact.
 */
export interface ParentWatchOptions {
  intervalMs?: number;
  isAlive?: (pid: number) => boolean;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Calls `onGone` once when `pid` no longer exists; returns a function that stops watching. */
export function watchParent(pid: number, onGone: () => void, o: ParentWatchOptions = {}): () => void {
  const intervalMs = o.intervalMs ?? 1_000;
  const isAlive = o.isAlive ?? pidAlive;
  const setTimer = o.setTimer ?? ((fn, ms) => setTimeout(fn, ms).unref());
  const clearTimer = o.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout));
  let stopped = false;
  let timer: unknown;
  const tick = () => {
    if (stopped) return;
    if (!isAlive(pid)) {
      stopped = true;
      onGone();
      return;
    }
    timer = setTimer(tick, intervalMs);
  };
  timer = setTimer(tick, intervalMs);
  return () => {
    stopped = true;
    clearTimer(timer);
  };
}
