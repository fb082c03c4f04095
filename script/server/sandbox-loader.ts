/**
 * The sandbox cloud (script/sandbox, another module) as `serve` uses it, loaded lazily: it pulls in the RTMP
 * server, which cloud mode never needs. The shape below is the sandbox's published signature.
 */
import type { FaultRequest } from '../../shared/api-routes.js';

export interface SandboxOptions {
  apiPort?: number;
  rtmpPort?: number;
  now?: () => number;
  log?: (line: string) => void;
}

export interface SandboxHandle {
  endpoint: string;
  rtmpPort: number;
  credentials: { accessKeyId: string; accessKeySecret: string };
  controlToken: string;
  faults: unknown;
  stats(): unknown;
  stop(): Promise<void> | void;
}

export type StartSandbox = (o: SandboxOptions) => Promise<SandboxHandle>;

export async function loadSandbox(): Promise<StartSandbox> {
  // a literal specifier, so Vite bundles the sandbox into dist/artc-ingest.mjs (as a lazily loaded chunk of it)
  const mod = await import('../sandbox/index.js');
  return mod.startSandbox;
}

/** The sandbox's `faults.apply(fault)` (script/sandbox/faults.ts); a bare function or `inject` also work. */
export function faultInjector(faults: unknown): ((f: FaultRequest) => Promise<void>) | undefined {
  if (typeof faults === 'function') return async (f) => void (await faults(f));
  if (faults && typeof faults === 'object') {
    for (const m of ['apply', 'inject'] as const) {
      const fn = (faults as Record<string, unknown>)[m];
      if (typeof fn === 'function') return async (f) => void (await fn.call(faults, f));
    }
  }
  return undefined;
}
