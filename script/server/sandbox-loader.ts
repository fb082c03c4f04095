/**
 * The sandbox cloud (script/sandbox) as `serve` and `run` use it, loaded lazily: it pulls in the RTMP server,
 * which cloud mode never needs. Types are imported as types only, so nothing loads before `loadSandbox()`.
 */
import type { FaultRequest } from '../../shared/api-routes.js';
import { LiveApiClient } from '../cloud/api-client.js';
import { removeSandboxState, sandboxStatePath, writeSandboxState } from '../cloud/cloud.js';
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

/**
 * node-media-server (the sandbox's RTMP ingest) installs SIGINT/SIGTERM listeners in its store that flush, remove
 * themselves and re-raise the signal (lightweight_store.js `_onSignal`). main.ts's listeners are one-shot, so the
 * re-raised signal would find none and kill us mid-shutdown (exit 143, sandbox.json left behind). A no-op listener
 * held until stop() is done keeps the orderly shutdown; main.ts's 5 s cut-off still ends a stuck one.
 */
function holdSignals(): () => void {
  const hold = () => {};
  const sigs = ['SIGINT', 'SIGTERM'] as const;
  for (const s of sigs) process.on(s, hold);
  return () => {
    for (const s of sigs) process.removeListener(s, hold);
  };
}

export interface SandboxCloudOptions {
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  now?: () => number;
  /** tests inject a fake sandbox; default: the real one, loaded lazily */
  start?: StartSandbox;
}

export interface SandboxCloud {
  sandbox: SandboxHandle;
  /** the cloud client pointed at the sandbox, with its credentials */
  client: LiveApiClient;
  /** what the logs must never show */
  secrets(): Array<string | undefined>;
  /** writes `<configDir>/sandbox.json` so `url --sandbox` in another terminal finds this sandbox */
  announce(extra?: { helperUrl?: string }): void;
  /** removes the announcement, stops the sandbox, then lets signals through again */
  stop(): Promise<void>;
}

/** The sandbox cloud for `serve` and `run` alike: started under the signal hold, a client for it, its announcement. */
export async function startSandboxCloud(o: SandboxCloudOptions): Promise<SandboxCloud> {
  const start = o.start ?? (await loadSandbox());
  const now = o.now ?? Date.now;
  const release = holdSignals();
  let sandbox: SandboxHandle;
  try {
    sandbox = await start({ log: (line) => o.log(`sandbox: ${line}`), ...(o.now ? { now: o.now } : {}) });
  } catch (e) {
    release();
    throw e;
  }
  const client = new LiveApiClient({ endpoint: sandbox.endpoint, credentials: sandbox.credentials });
  let statePath: string | undefined;
  return {
    sandbox,
    client,
    secrets: () => [sandbox.credentials.accessKeySecret, sandbox.credentials.securityToken, sandbox.controlToken],
    announce(extra = {}) {
      statePath = sandboxStatePath(o.env);
      const { endpoint, rtmpPort, credentials, controlToken } = sandbox;
      const { accessKeyId, accessKeySecret } = credentials;
      const startedAt = new Date(now()).toISOString();
      writeSandboxState(statePath, {
        pid: process.pid,
        endpoint,
        rtmpPort,
        accessKeyId,
        accessKeySecret,
        controlToken,
        ...extra,
        startedAt,
      });
    },
    async stop() {
      if (statePath) removeSandboxState(statePath);
      try {
        await sandbox.stop();
      } finally {
        release();
      }
    },
  };
}
