/**
 * Linux /proc helpers for the OBS rig: find a wrapper's children and end processes by PID with a deadline.
 * Only ever called with PIDs the rig itself started (or found as children of a process it started).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  /** the executable's name as the kernel knows it (15 characters at most) */
  comm: string;
  /** R, S, D, Z (zombie), T, ... */
  state: string;
  ppid: number;
}

/** Parses /proc/PID/stat. `comm` sits in parentheses and may itself contain spaces or ')'. */
export function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text.slice(close + 2).split(' ');
  return { pid, comm: text.slice(open + 1, close), state: rest[0] ?? '?', ppid: Number(rest[1]) };
}

export function childrenOf(ppid: number): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProcStat(Number(name));
    if (stat && stat.ppid === ppid) out.push(stat);
  }
  return out;
}

/** Alive = exists and is not a zombie (a zombie has exited; only its parent's wait() is missing). */
export function isAlive(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== null && stat.state !== 'Z';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `pid` is gone; true when it went within `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number, pollMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(pollMs);
  }
  return true;
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone (ESRCH): nothing to do
  }
}

/** Sends `first`, then SIGKILL when the process outlives `graceMs`. Returns how it ended. */
export async function terminate(
  pid: number,
  first: NodeJS.Signals,
  graceMs: number,
): Promise<'gone' | 'exited' | 'killed'> {
  if (!isAlive(pid)) return 'gone';
  signal(pid, first);
  if (await waitForExit(pid, graceMs)) return 'exited';
  signal(pid, 'SIGKILL');
  await waitForExit(pid, 2_000);
  return 'killed';
}
