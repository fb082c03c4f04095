/**
 * The sandbox cloud: an emulator of live.aliyuncs.com for CreateRoomRealTimeStreamAddress and
 * DescribeChannelParticipants, as a function from Request to Response (no port needed: tests and an
 * injected `fetch` call `handle` directly; index.ts binds it to 127.0.0.1). It also owns the publish
 * gate the embedded RTMP ingest asks, so presence follows real RTMP sessions.
 *
 * Per request: verify (gateway.ts) -> flow control (100/s per operation per account) -> injected
 * failures -> the operation. The clock and randomness are injectable. `faults.shiftClock` moves the
 * cloud's clock (URL issue and expiry, `Times`, the ingest's auth_key check), not the gateway's.
 */
import { randomBytes } from 'node:crypto';
import { acs, errorResponse, formatRequestId, isAcsError, okResponse, type AcsError } from './acs-errors.js';
import { createRoomRealTimeStreamAddress, describeChannelParticipants, type ActionContext } from './actions.js';
import { CONTROL_PREFIX, handleControl } from './control.js';
import { FailureQueue, createFaults, type SandboxFaults } from './faults.js';
import { FlowControl } from './flow-control.js';
import { actionOf, verifyRequest, type GatewayKey } from './gateway.js';
import { NonceStore } from './nonce-store.js';
import { STS_ACTIONS, STS_VERSION, assumeRole } from './sts.js';
import { SandboxState, type LivePublish, type PublishAttempt, type PublishVerdict, type RejectReason } from './state.js';
import { ACTIONS, type EndCause, type SandboxCredentials, type SandboxEvent, type SandboxStats } from './types.js';

export interface EmulatorOptions {
  now?: () => number;
  /** n random bytes; every random thing the emulator makes (ids, keys, stream names) comes from here */
  random?: (bytes: number) => Uint8Array;
  /** else generated: `LTAI` + 20 characters, secret of 30 */
  credentials?: SandboxCredentials;
  /** generate STS-style credentials (`STS.` id + security token) instead of a plain AccessKey */
  sts?: boolean;
  /** the ingest's URL-signing key; else generated */
  privateKey?: string;
  controlToken?: string;
  /** where RtmpAddress points: `rtmp://127.0.0.1:<ingest port>` */
  rtmpOrigin?: string;
  /** calls per second per operation per account (the doc: 100) */
  qps?: number;
  onEvent?: (event: SandboxEvent) => void;
}

/** The ingest's side: asked on every publish, told when an RTMP session ends. */
export interface PublishGate {
  admit(attempt: PublishAttempt): PublishVerdict;
  end(sessionId: string): void;
}

export interface Emulator {
  /** The HTTP handler: the emulated API on `/`, the control API on `/_sandbox/*`. */
  handle: (req: Request) => Promise<Response>;
  /** The STS stand-in (AssumeRole, RPC-signed); index.ts serves it over HTTPS as the library requires. */
  handleSts: (req: Request) => Promise<Response>;
  readonly credentials: SandboxCredentials;
  readonly controlToken: string;
  readonly faults: SandboxFaults;
  readonly gate: PublishGate;
  stats(): SandboxStats;
  /** the emulator's clock (ms), shift included */
  now(): number;
  setRtmpOrigin(origin: string): void;
}

/** All sandbox keys belong to one account: the doc's QPS limit is per account. */
const ACCOUNT = 'sandbox-account';
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function base62(bytes: Uint8Array): string {
  return [...bytes].map((b) => BASE62[b % 62]).join('');
}

export function generateCredentials(random: (n: number) => Uint8Array, sts = false): SandboxCredentials {
  const secret = base62(random(30));
  if (!sts) return { accessKeyId: `LTAI${base62(random(20))}`, accessKeySecret: secret };
  return { accessKeyId: `STS.${base62(random(24))}`, accessKeySecret: secret, securityToken: `CAIS${Buffer.from(random(96)).toString('base64')}` };
}

function emptyStats() {
  return {
    calls: {} as Record<string, number>,
    outcomes: {} as Record<string, Record<string, number>>,
    accepted: 0,
    rejected: { unknown: 0, forged: 0, expired: 0, duplicate: 0 } as Record<RejectReason, number>,
    ended: { disconnected: 0, kicked: 0, replaced: 0 } as Record<EndCause, number>,
  };
}

export function createEmulator(opts: EmulatorOptions = {}): Emulator {
  const random = opts.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const credentials = opts.credentials ?? generateCredentials(random, opts.sts);
  const privateKey = opts.privateKey ?? Buffer.from(random(16)).toString('hex');
  const controlToken = opts.controlToken ?? Buffer.from(random(24)).toString('base64url');
  const wallClock = opts.now ?? Date.now;
  const state = new SandboxState(wallClock, privateKey);
  const queue = new FailureQueue();
  const flow = new FlowControl(opts.qps ?? 100);
  const nonces = new NonceStore();
  const keys = new Map<string, GatewayKey>([[credentials.accessKeyId, credentials]]);
  const counters = emptyStats();
  let rtmpOrigin = opts.rtmpOrigin ?? 'rtmp://127.0.0.1:1935';

  const emit = (e: SandboxEvent) => {
    try {
      opts.onEvent?.(e);
    } catch {
      // an observer's bug must not break the emulated cloud
    }
  };
  const info = (p: LivePublish) => ({ sessionId: p.sessionId, streamName: p.streamName, appId: p.appId, channelId: p.channelId, userId: p.userId });
  const ended = (p: LivePublish, cause: EndCause) => {
    counters.ended[cause]++;
    emit({ type: 'publish-ended', cause, ...info(p) });
  };
  const faults = createFaults(state, queue, ended);

  const gate: PublishGate = {
    admit(attempt) {
      const verdict = state.admit(attempt);
      if (!verdict.ok) {
        counters.rejected[verdict.reason]++;
        emit({ type: 'publish-rejected', sessionId: attempt.sessionId, streamName: attempt.stream, reason: verdict.reason, detail: verdict.detail });
        return verdict;
      }
      counters.accepted++;
      for (const old of verdict.replaced) ended(old, 'replaced');
      const live = state.live.get(attempt.sessionId)!;
      emit({ type: 'publish-accepted', ...info(live) });
      return verdict;
    },
    end(sessionId) {
      const p = state.end(sessionId);
      if (p) ended(p, 'disconnected');
    },
  };

  function stats(): SandboxStats {
    return {
      now: state.now(),
      clockOffsetSeconds: state.offsetMs / 1000,
      calls: { ...counters.calls },
      outcomes: Object.fromEntries(Object.entries(counters.outcomes).map(([a, o]) => [a, { ...o }])),
      issuedUrls: state.streams.size,
      publishes: { accepted: counters.accepted, rejected: { ...counters.rejected }, ended: { ...counters.ended } },
      publishers: [...state.live.values()].map((p) => ({ ...info(p), since: p.since, listed: p.listed })),
      pendingFailures: queue.pending(),
    };
  }

  function answer(action: string | undefined, requestId: string, result: AcsError | Record<string, unknown>): Response {
    const failed = isAcsError(result);
    const code = failed ? result.code : 'OK';
    if (action) {
      counters.calls[action] = (counters.calls[action] ?? 0) + 1;
      const o = (counters.outcomes[action] ??= {});
      o[code] = (o[code] ?? 0) + 1;
    }
    emit({ type: 'api', action: action ?? '', status: failed ? result.status : 200, code, requestId });
    return failed ? errorResponse(result, requestId) : okResponse(result, requestId);
  }

  async function api(req: Request, requestId: string): Promise<Response> {
    const body = new Uint8Array(await req.arrayBuffer());
    const named = actionOf(req, ACTIONS, body);
    // The gateway (date skew, nonces, QPS) runs on the wall clock: a shifted clock expires URLs without
    // making every client's x-acs-date look skewed. The operations run on the shifted clock.
    const wall = wallClock();
    const call = verifyRequest(req, body, { keys, actions: ACTIONS, nonces, now: wall });
    if (isAcsError(call)) return answer(named, requestId, call);
    const wait = flow.take(`${ACCOUNT}:${call.action}`, wall);
    if (wait > 0) return answer(call.action, requestId, acs.throttled(wait));
    const injected = queue.take(call.action);
    if (injected) return answer(call.action, requestId, injected);
    const ctx: ActionContext = { state, now: state.now(), random, privateKey, rtmpOrigin };
    const run = call.action === 'CreateRoomRealTimeStreamAddress' ? createRoomRealTimeStreamAddress : describeChannelParticipants;
    return answer(call.action, requestId, run(call.query, ctx));
  }

  async function handle(req: Request): Promise<Response> {
    const { pathname } = new URL(req.url);
    if (pathname === CONTROL_PREFIX || pathname.startsWith(`${CONTROL_PREFIX}/`)) {
      return handleControl(req, pathname, { token: controlToken, faults, stats });
    }
    const requestId = formatRequestId(random(16));
    try {
      return await api(req, requestId);
    } catch {
      return answer(actionOf(req, ACTIONS), requestId, acs.internal());
    }
  }

  async function handleSts(req: Request): Promise<Response> {
    const requestId = formatRequestId(random(16));
    try {
      const body = new Uint8Array(await req.arrayBuffer());
      const wall = wallClock();
      const call = verifyRequest(req, body, { keys, actions: STS_ACTIONS, nonces, now: wall, version: STS_VERSION });
      if (isAcsError(call)) return answer(actionOf(req, STS_ACTIONS, body), requestId, call);
      const injected = queue.take(call.action);
      if (injected) return answer(call.action, requestId, injected);
      return answer(call.action, requestId, assumeRole(call.query, { now: wall, random, keys }));
    } catch {
      return answer('AssumeRole', requestId, acs.internal());
    }
  }

  return {
    handle,
    handleSts,
    credentials,
    controlToken,
    faults,
    gate,
    stats,
    now: () => state.now(),
    setRtmpOrigin: (origin) => {
      rtmpOrigin = origin;
    },
  };
}
