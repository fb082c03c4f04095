/**
 * Build-time stand-in for the `debug` package inside obs-websocket-js (vite.config.ts aliases it here for
 * the dock only): its trace lines are off in browsers unless `localStorage.debug` is set, and OBS's dock
 * has no console a user reads. Saves ~2 KB gzip of the dock's budget.
 */
type Debug = ((...args: unknown[]) => void) & { enabled: boolean };
export default function createDebug(_namespace: string): Debug {
  return Object.assign(() => {}, { enabled: false });
}
