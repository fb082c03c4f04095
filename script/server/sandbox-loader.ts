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
  // TODO(serve): make this a literal import('../sandbox/index.js') once script/sandbox/index.ts lands, so
  // Vite bundles it; a variable specifier keeps type-check and build green until then.
  const spec = '../sandbox/index.js';
  const mod = (await import(/* @vite-ignore */ spec)) as { startSandbox: StartSandbox };
  return mod.startSandbox;
}

/** Accepts the sandbox's `faults` as a function or as an object with an `inject`/`apply` method. */
export function faultInjector(faults: unknown): ((f: FaultRequest) => Promise<void>) | undefined {
  if (typeof faults === 'function') return async (f) => void (await faults(f));
  if (faults && typeof faults === 'object') {
    for (const m of ['inject', 'apply'] as const) {
      const fn = (faults as Record<string, unknown>)[m];
      if (typeof fn === 'function') return async (f) => void (await fn.call(faults, f));
    }
  }
  return undefined;
}
