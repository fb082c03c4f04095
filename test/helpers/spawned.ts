/**
 * A long-running CLI process (`serve`, `run`) under test: its output collected line by line, with waits on
 * what it prints (each with a deadline), and a stop that signals it and awaits its exit code.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnBuiltCli } from './cli.js';

export interface Spawned {
  child: ChildProcess;
  lines: string[];
  /** all of stdout so far, a last unterminated line included */
  stdout: () => string;
  stderr: () => string;
  /** resolves with the first stdout line (parsed when JSON) that matches, from the start of output */
  waitForLine<T = string>(match: (line: string) => T | undefined | false, what: string, timeoutMs?: number): Promise<T>;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv): Spawned {
  const child: ChildProcess = spawnBuiltCli(args, env);
  const lines: string[] = [];
  let partial = '';
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    partial += d.toString();
    const parts = partial.split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const w of waiters) w();
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      for (const w of waiters) w();
      resolve(code);
    }),
  );
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));

  function waitForLine<T>(
    match: (line: string) => T | undefined | false,
    what: string,
    timeoutMs = 20_000,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      let scanned = 0;
      const check = () => {
        for (; scanned < lines.length; scanned++) {
          const v = match(lines[scanned]!);
          if (v !== undefined && v !== false) return done(() => resolve(v));
        }
        if (exitCode !== undefined)
          done(() =>
            reject(
              new Error(`process exited (${exitCode}) before ${what}\nstdout:\n${lines.join('\n')}\nstderr:\n${err}`),
            ),
          );
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(
              new Error(
                `timed out after ${timeoutMs} ms waiting for ${what}\nstdout:\n${lines.join('\n')}\nstderr:\n${err}`,
              ),
            ),
          ),
        timeoutMs,
      );
      function done(fn: () => void) {
        clearTimeout(timer);
        waiters.delete(check);
        fn();
      }
      waiters.add(check);
      check();
    });
  }

  return {
    child,
    lines,
    stdout: () => out,
    stderr: () => err,
    waitForLine,
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      if (exitCode !== undefined) return exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** For `--json` output: the parsed object when the line is JSON and the predicate holds. */
export function jsonLine<T extends object = Record<string, unknown>>(pred: (o: T) => boolean) {
  return (line: string): T | undefined => {
    if (!line.startsWith('{')) return undefined;
    try {
      const o = JSON.parse(line) as T;
      return pred(o) ? o : undefined;
    } catch {
      return undefined;
    }
  };
}
