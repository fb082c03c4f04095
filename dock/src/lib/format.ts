/** Small display formatters (no Intl calls that Chromium 103 lacks; all pure). */

/** 3725000 -> "1:02:05", 65000 -> "1:05" */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return `${h ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** kbit/s -> "2.45 Mb/s" or "820 kb/s" */
export function formatBitrate(kbps: number | undefined): string {
  if (kbps === undefined || !Number.isFinite(kbps)) return '-';
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(2)} Mb/s` : `${Math.round(kbps)} kb/s`;
}

/** 0.1234 -> "12%" */
export function formatPercent(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  return `${Math.round(x * 100)}%`;
}

/** "3 / 1200 (0.3%)" */
export function formatFrames(n: number | undefined, total: number | undefined): string {
  if (n === undefined) return '-';
  if (!total) return String(n);
  return `${n} / ${total} (${((n / total) * 100).toFixed(1)}%)`;
}

/** seconds until `at`, never negative, rounded up (a countdown shows 1 until it is really 0) */
export function secondsUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}

export function formatClock(at: number): string {
  const d = new Date(at);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
