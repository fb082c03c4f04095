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
import {
  SandboxState,
  type LivePublish,
  type PublishAttempt,
  type PublishVerdict,
  type RejectReason,
} from './state.js';
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
  return {
    accessKeyId: `STS.${base62(random(24))}`,
    accessKeySecret: secret,
    securityToken: `CAIS${Buffer.from(random(96)).toString('base64')}`,
  };
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

/** Everything one emulator instance holds; the handlers below are functions of it. */
interface World {
  random: (n: number) => Uint8Array;
  credentials: SandboxCredentials;
  privateKey: string;
  controlToken: string;
  wallClock: () => number;
  state: SandboxState;
  queue: FailureQueue;
  flow: FlowControl;
  nonces: NonceStore;
  keys: Map<string, GatewayKey>;
  counters: ReturnType<typeof emptyStats>;
  rtmpOrigin: string;
  emit: (e: SandboxEvent) => void;
  faults: SandboxFaults;
  ended: (p: LivePublish, cause: EndCause) => void;
}

const info = (p: LivePublish) => ({
  sessionId: p.sessionId,
  streamName: p.streamName,
  appId: p.appId,
  channelId: p.channelId,
  userId: p.userId,
});

function createWorld(opts: EmulatorOptions): World {
  const random = opts.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const credentials = opts.credentials ?? generateCredentials(random, opts.sts);
  const privateKey = opts.privateKey ?? Buffer.from(random(16)).toString('hex');
  const controlToken = opts.controlToken ?? Buffer.from(random(24)).toString('base64url');
  const wallClock = opts.now ?? Date.now;
  const state = new SandboxState(wallClock, privateKey);
  const queue = new FailureQueue();
  const counters = emptyStats();
  const emit = (e: SandboxEvent) => {
    try {
      opts.onEvent?.(e);
    } catch {
      // an observer's bug must not break the emulated cloud
    }
  };
  const ended = (p: LivePublish, cause: EndCause) => {
    counters.ended[cause]++;
    emit({ type: 'publish-ended', cause, ...info(p) });
  };
  return {
    random,
    credentials,
    privateKey,
    controlToken,
    wallClock,
    state,
    queue,
    flow: new FlowControl(opts.qps ?? 100),
    nonces: new NonceStore(),
    keys: new Map<string, GatewayKey>([[credentials.accessKeyId, credentials]]),
    counters,
    rtmpOrigin: opts.rtmpOrigin ?? 'rtmp://127.0.0.1:1935',
    emit,
    faults: createFaults(state, queue, ended),
    ended,
  };
}

function publishGate(w: World): PublishGate {
  return {
    admit(attempt) {
      const verdict = w.state.admit(attempt);
      if (!verdict.ok) {
        w.counters.rejected[verdict.reason]++;
        w.emit({
          type: 'publish-rejected',
          sessionId: attempt.sessionId,
          streamName: attempt.stream,
          reason: verdict.reason,
          detail: verdict.detail,
        });
        return verdict;
      }
      w.counters.accepted++;
      for (const old of verdict.replaced) w.ended(old, 'replaced');
      const live = w.state.live.get(attempt.sessionId)!;
      w.emit({ type: 'publish-accepted', ...info(live) });
      return verdict;
    },
    end(sessionId) {
      const p = w.state.end(sessionId);
      if (p) w.ended(p, 'disconnected');
    },
  };
}

function statsOf(w: World): SandboxStats {
  const { state, counters } = w;
  return {
    now: state.now(),
    clockOffsetSeconds: state.offsetMs / 1000,
    calls: { ...counters.calls },
    outcomes: Object.fromEntries(Object.entries(counters.outcomes).map(([a, o]) => [a, { ...o }])),
    issuedUrls: state.streams.size,
    publishes: { accepted: counters.accepted, rejected: { ...counters.rejected }, ended: { ...counters.ended } },
    publishers: [...state.live.values()].map((p) => ({ ...info(p), since: p.since, listed: p.listed })),
    pendingFailures: w.queue.pending(),
  };
}

/** Counts the call and its outcome, tells the observer, and renders the answer. */
function answer(
  w: World,
  action: string | undefined,
  requestId: string,
  result: AcsError | Record<string, unknown>,
): Response {
  const failed = isAcsError(result);
  const code = failed ? result.code : 'OK';
  if (action) {
    w.counters.calls[action] = (w.counters.calls[action] ?? 0) + 1;
    const o = (w.counters.outcomes[action] ??= {});
    o[code] = (o[code] ?? 0) + 1;
  }
  w.emit({ type: 'api', action: action ?? '', status: failed ? result.status : 200, code, requestId });
  return failed ? errorResponse(result, requestId) : okResponse(result, requestId);
}

async function api(w: World, req: Request, requestId: string): Promise<Response> {
  const body = new Uint8Array(await req.arrayBuffer());
  const named = actionOf(req, ACTIONS, body);
  // The gateway (date skew, nonces, QPS) runs on the wall clock: a shifted clock expires URLs without
  // making every client's x-acs-date look skewed. The operations run on the shifted clock.
  const wall = w.wallClock();
  const call = verifyRequest(req, body, { keys: w.keys, actions: ACTIONS, nonces: w.nonces, now: wall });
  if (isAcsError(call)) return answer(w, named, requestId, call);
  const wait = w.flow.take(`${ACCOUNT}:${call.action}`, wall);
  if (wait > 0) return answer(w, call.action, requestId, acs.throttled(wait));
  const injected = w.queue.take(call.action);
  if (injected) return answer(w, call.action, requestId, injected);
  const { state, random, privateKey, rtmpOrigin } = w;
  const ctx: ActionContext = { state, now: state.now(), random, privateKey, rtmpOrigin };
  const run =
    call.action === 'CreateRoomRealTimeStreamAddress' ? createRoomRealTimeStreamAddress : describeChannelParticipants;
  return answer(w, call.action, requestId, run(call.query, ctx));
}

async function handle(w: World, req: Request): Promise<Response> {
  const { pathname } = new URL(req.url);
  if (pathname === CONTROL_PREFIX || pathname.startsWith(`${CONTROL_PREFIX}/`)) {
    return handleControl(req, pathname, { token: w.controlToken, faults: w.faults, stats: () => statsOf(w) });
  }
  const requestId = formatRequestId(w.random(16));
  try {
    return await api(w, req, requestId);
  } catch {
    return answer(w, actionOf(req, ACTIONS), requestId, acs.internal());
  }
}

async function handleSts(w: World, req: Request): Promise<Response> {
  const requestId = formatRequestId(w.random(16));
  try {
    const body = new Uint8Array(await req.arrayBuffer());
    const wall = w.wallClock();
    const call = verifyRequest(req, body, {
      keys: w.keys,
      actions: STS_ACTIONS,
      nonces: w.nonces,
      now: wall,
      version: STS_VERSION,
    });
    if (isAcsError(call)) return answer(w, actionOf(req, STS_ACTIONS, body), requestId, call);
    const injected = w.queue.take(call.action);
    if (injected) return answer(w, call.action, requestId, injected);
    return answer(w, call.action, requestId, assumeRole(call.query, { now: wall, random: w.random, keys: w.keys }));
  } catch {
    return answer(w, 'AssumeRole', requestId, acs.internal());
  }
}

export function createEmulator(opts: EmulatorOptions = {}): Emulator {
  const w = createWorld(opts);
  return {
    handle: (req) => handle(w, req),
    handleSts: (req) => handleSts(w, req),
    credentials: w.credentials,
    controlToken: w.controlToken,
    faults: w.faults,
    gate: publishGate(w),
    stats: () => statsOf(w),
    now: () => w.state.now(),
    setRtmpOrigin: (origin) => {
      w.rtmpOrigin = origin;
    },
  };
}
