/**
 * The sandbox: a faithful local stand-in for Alibaba Cloud (the emulated live.aliyuncs.com API plus an
 * RTMP ingest), the default cloud when no credentials exist and the cloud the tests run against.
 * Both listen on 127.0.0.1 only. Defaults: API 4467, RTMP 1935; a default port that is taken is
 * replaced by a free one (an explicitly given port that is taken is an error).
 *
 *   const sb = await startSandbox();
 *   new LiveApiClient({ endpoint: sb.endpoint, credentials: sb.credentials });
 *   sb.faults.kick({ appId, channelId, userId }); await sb.stop();
 */
import { createEmulator, type Emulator, type EmulatorOptions } from './emulator.js';
import { bindHandler } from './http-binding.js';
import { startIngest } from './ingest.js';
import type { SandboxFaults } from './faults.js';
import type { SandboxCredentials, SandboxEvent, SandboxStats } from './types.js';

export const DEFAULT_API_PORT = 4467;
export const DEFAULT_RTMP_PORT = 1935;

export interface SandboxOptions {
  /** default 4467; 0 = any free port */
  apiPort?: number;
  /** default 1935; 0 = any free port */
  rtmpPort?: number;
  now?: () => number;
  /** one human-readable line per notable thing; never a secret */
  log?: (line: string) => void;
  random?: EmulatorOptions['random'];
  /** STS-style credentials (`STS.` id + security token) */
  sts?: boolean;
  onEvent?: (event: SandboxEvent) => void;
  /** also serve the STS stand-in (AssumeRole) over HTTPS with this certificate, on `stsPort` (default any) */
  stsTls?: { key: string; cert: string };
  stsPort?: number;
}

export interface SandboxHandle {
  /** `http://127.0.0.1:PORT`: the endpoint for LiveApiClient */
  readonly endpoint: string;
  readonly apiPort: number;
  readonly rtmpPort: number;
  readonly credentials: SandboxCredentials;
  /** `127.0.0.1:PORT` of the HTTPS STS stand-in (an aliyun CLI profile's `sts_endpoint`), with `stsTls` */
  readonly stsEndpoint?: string | undefined;
  /** Bearer token of the control API (`/_sandbox/stats`, `/_sandbox/fault`) */
  readonly controlToken: string;
  readonly faults: SandboxFaults;
  /** the emulator itself (its `handle` serves requests without the port) */
  readonly emulator: Emulator;
  stats(): SandboxStats;
  stop(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<SandboxHandle> {
  const log = opts.log ?? (() => {});
  // the gate is asked only once a publish arrives, by which time `emu` (declared below) exists
  const ingest = await startIngest({
    ...(opts.rtmpPort !== undefined ? { port: opts.rtmpPort } : {}),
    gate: {
      admit: (attempt) => emu.gate.admit(attempt),
      end: (sessionId) => emu.gate.end(sessionId),
    },
    log,
  });
  const emu = createEmulator({
    rtmpOrigin: `rtmp://127.0.0.1:${ingest.port}`,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.random ? { random: opts.random } : {}),
    ...(opts.sts ? { sts: true } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  });
  let api;
  let sts;
  try {
    api = await bindHandler(emu.handle, {
      port: opts.apiPort ?? DEFAULT_API_PORT,
      fallback: opts.apiPort === undefined,
    });
    if (opts.stsTls)
      sts = await bindHandler(emu.handleSts, { port: opts.stsPort ?? 0, fallback: false, tls: opts.stsTls });
  } catch (e) {
    await Promise.all([ingest.stop(), api?.close()]);
    throw e;
  }
  const stsServer = sts;
  const endpoint = `http://127.0.0.1:${api.port}`;
  if (opts.apiPort === undefined && api.port !== DEFAULT_API_PORT)
    log(`port ${DEFAULT_API_PORT} is taken: sandbox API on ${api.port} instead`);
  if (opts.rtmpPort === undefined && ingest.port !== DEFAULT_RTMP_PORT)
    log(`port ${DEFAULT_RTMP_PORT} is taken: sandbox RTMP ingest on ${ingest.port} instead`);
  log(
    `sandbox cloud at ${endpoint}, RTMP ingest at rtmp://127.0.0.1:${ingest.port} (AccessKeyId ${emu.credentials.accessKeyId})`,
  );

  let stopping: Promise<void> | undefined;
  const bound = api;
  if (stsServer) log(`sandbox STS (AssumeRole) at https://127.0.0.1:${stsServer.port}`);
  return {
    endpoint,
    stsEndpoint: stsServer ? `127.0.0.1:${stsServer.port}` : undefined,
    apiPort: api.port,
    rtmpPort: ingest.port,
    credentials: emu.credentials,
    controlToken: emu.controlToken,
    faults: emu.faults,
    emulator: emu,
    stats: () => emu.stats(),
    stop() {
      stopping ??= Promise.all([bound.close(), ingest.stop(), stsServer?.close()]).then(() => log('sandbox stopped'));
      return stopping;
    },
  };
}

export { createEmulator } from './emulator.js';
export type { Emulator, EmulatorOptions, PublishGate } from './emulator.js';
export type { FaultResult, SandboxFault, SandboxFaults } from './faults.js';
export type { PublishAttempt, PublishVerdict, RejectReason, UserRef } from './state.js';
export type { EndCause, FailureSpec, SandboxAction, SandboxCredentials, SandboxEvent, SandboxStats } from './types.js';
