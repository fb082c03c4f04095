/**
 * The sandbox cloud (script/sandbox) as `serve` and `run` use it, loaded lazily: it pulls in the RTMP server,
 * which cloud mode never needs. Types are imported as types only, so nothing loads before `loadSandbox()`.
 */
import type { FaultRequest } from '../../shared/api-routes.js';
import type { SandboxFaults, SandboxHandle, SandboxOptions } from '../sandbox/index.js';

export type { SandboxHandle, SandboxOptions };
export type StartSandbox = (o: SandboxOptions) => Promise<SandboxHandle>;

export async function loadSandbox(): Promise<StartSandbox> {
  // a literal specifier, so Vite bundles the sandbox into dist/artc-ingest.mjs (inlined, evaluated on demand)
  const mod = await import('../sandbox/index.js');
  return mod.startSandbox;
}

/** The dock's fault requests (shared/api-routes.ts) are a subset of what the sandbox applies. */
export function faultInjector(faults: SandboxFaults): (f: FaultRequest) => Promise<void> {
  return async (f) => {
    faults.apply(f);
  };
}
