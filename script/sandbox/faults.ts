/**
 * Fault injection: what a demo or a test does to the sandbox cloud. The same operations are reachable
 * on the sandbox handle (`faults.kick(...)`) and as data (`faults.apply({ kind: 'kick', ... })`), which
 * is what the control API (`POST /_sandbox/fault`) and the helper's `/api/sandbox/fault` route send.
 * `SandboxFault` is a superset of shared/api-routes.ts `FaultRequest` (same kinds and field names).
 */
import * as z from 'zod/mini';
import { AppId, ChannelId, UserId } from '../../shared/cloud-schemas.js';
import type { AcsError } from './acs-errors.js';
import type { LivePublish, SandboxState, UserRef } from './state.js';
import { ACTIONS, type EndCause, type FailureSpec, type SandboxAction } from './types.js';

const actionNames = Object.keys(ACTIONS) as [SandboxAction, ...SandboxAction[]];
const MAX_SHIFT_S = 86_400 * 366;

export const SandboxFault = z.union([
  z.object({
    kind: z.literal('fail-next'),
    action: z.enum([...actionNames, '*']),
    count: z.int().check(z.minimum(1), z.maximum(1000)),
    status: z.int().check(z.minimum(400), z.maximum(599)),
    code: z.string().check(z.minLength(1), z.maxLength(64)),
    message: z.optional(z.string().check(z.maxLength(200))),
    retryAfterMs: z.optional(z.int().check(z.minimum(1), z.maximum(600_000))),
  }),
  z.object({ kind: z.literal('kick'), appId: AppId, channelId: ChannelId, userId: UserId }),
  z.object({ kind: z.literal('remove'), appId: AppId, channelId: ChannelId, userId: UserId }),
  z.object({ kind: z.literal('shift-clock'), seconds: z.int().check(z.minimum(-MAX_SHIFT_S), z.maximum(MAX_SHIFT_S)) }),
  z.object({
    kind: z.literal('add-users'),
    appId: AppId,
    channelId: ChannelId,
    userIds: z.array(UserId).check(z.minLength(1), z.maxLength(1000)),
  }),
  z.object({
    kind: z.literal('remove-users'),
    appId: AppId,
    channelId: ChannelId,
    userIds: z.array(UserId).check(z.minLength(1), z.maxLength(1000)),
  }),
  z.object({ kind: z.literal('reset') }),
]);
export type SandboxFault = z.infer<typeof SandboxFault>;

export interface FaultResult {
  ok: true;
  /** sessions kicked, users removed or added */
  affected?: number;
  clockOffsetSeconds?: number;
}

export interface SandboxFaults {
  /**
   * The next `count` calls of `action` (or of any Live API action, `'*'`) fail with this status and Code,
   * after authentication. `'AssumeRole'` fails the STS stand-in (never matched by `'*'`).
   */
  failNext(action: SandboxAction | 'AssumeRole' | '*', count: number, failure: FailureSpec): void;
  /** Closes the user's live RTMP sessions (or one stream's); the user leaves the channel now. Returns sessions closed. */
  kick(target: UserRef | { streamName: string }): number;
  /** Silent removal: unlisted while its RTMP stays up, until it publishes again; simulated users are deleted. */
  remove(target: UserRef): number;
  /**
   * Moves the cloud's clock (cumulative; URL expiry, `Times`) and returns the total shift in seconds.
   * The gateway's x-acs-date check keeps the wall clock, so clients still get through after a shift.
   */
  shiftClock(seconds: number): number;
  /** Simulated non-RTMP users (ARTC SDK users), e.g. to exercise paging. */
  addUsers(appId: string, channelId: string, userIds: readonly string[]): number;
  removeUsers(appId: string, channelId: string, userIds: readonly string[]): number;
  /** Clears pending failures, the clock shift and simulated users; live publishes stay. */
  reset(): void;
  apply(fault: SandboxFault): FaultResult;
}

interface Pending extends FailureSpec {
  action: SandboxAction | 'AssumeRole' | '*';
  remaining: number;
}

export class FailureQueue {
  private list: Pending[] = [];

  add(action: SandboxAction | 'AssumeRole' | '*', count: number, spec: FailureSpec): void {
    if (!Number.isInteger(count) || count < 1) throw new RangeError('failNext: count must be a positive integer');
    if (!Number.isInteger(spec.status) || spec.status < 400 || spec.status > 599)
      throw new RangeError('failNext: status must be 400-599');
    this.list.push({ ...spec, action, remaining: count });
  }

  /** The failure the next call of `action` must answer, if any (oldest first). */
  take(action: string): AcsError | undefined {
    const hit = this.list.find((p) => p.action === action || (p.action === '*' && action !== 'AssumeRole'));
    if (!hit) return undefined;
    if (--hit.remaining <= 0) this.list = this.list.filter((p) => p !== hit);
    return {
      status: hit.status,
      code: hit.code,
      message: hit.message ?? `Injected failure: ${hit.code}.`,
      ...(hit.retryAfterMs !== undefined ? { retryAfterMs: hit.retryAfterMs } : {}),
    };
  }

  pending() {
    return this.list.map((p) => ({ action: p.action, remaining: p.remaining, status: p.status, code: p.code }));
  }

  clear(): void {
    this.list = [];
  }
}

function checkIds(userIds: readonly string[]): void {
  for (const id of userIds) {
    const r = UserId.safeParse(id);
    if (!r.success) throw new RangeError(`user id ${JSON.stringify(id)}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  }
}

/** A fault given as data: the same operation as its method on the handle. */
function applyFault(faults: SandboxFaults, fault: SandboxFault): FaultResult {
  switch (fault.kind) {
    case 'fail-next':
      faults.failNext(fault.action, fault.count, {
        status: fault.status,
        code: fault.code,
        ...(fault.message ? { message: fault.message } : {}),
        ...(fault.retryAfterMs ? { retryAfterMs: fault.retryAfterMs } : {}),
      });
      return { ok: true };
    case 'kick':
      return { ok: true, affected: faults.kick(fault) };
    case 'remove':
      return { ok: true, affected: faults.remove(fault) };
    case 'shift-clock':
      return { ok: true, clockOffsetSeconds: faults.shiftClock(fault.seconds) };
    case 'add-users':
      return { ok: true, affected: faults.addUsers(fault.appId, fault.channelId, fault.userIds) };
    case 'remove-users':
      return { ok: true, affected: faults.removeUsers(fault.appId, fault.channelId, fault.userIds) };
    case 'reset':
      faults.reset();
      return { ok: true };
  }
}

export function createFaults(
  state: SandboxState,
  queue: FailureQueue,
  ended: (p: LivePublish, cause: EndCause) => void,
): SandboxFaults {
  const faults: SandboxFaults = {
    failNext: (action, count, failure) => queue.add(action, count, failure),
    kick(target) {
      const hits = state.find(target);
      for (const p of hits) {
        state.end(p.sessionId);
        ended(p, 'kicked');
        p.close();
      }
      return hits.length;
    },
    remove(target) {
      return state.silentRemove(target) + state.removeSimulated(target.appId, target.channelId, [target.userId]);
    },
    shiftClock(seconds) {
      if (!Number.isFinite(seconds)) throw new RangeError('shiftClock: seconds must be a number');
      state.offsetMs += Math.round(seconds * 1000);
      return state.offsetMs / 1000;
    },
    addUsers(appId, channelId, userIds) {
      checkIds(userIds);
      const before = state.participants(appId, channelId).length;
      state.addSimulated(appId, channelId, userIds);
      return state.participants(appId, channelId).length - before;
    },
    removeUsers: (appId, channelId, userIds) => state.removeSimulated(appId, channelId, userIds),
    reset() {
      queue.clear();
      state.offsetMs = 0;
      state.clearSimulated();
    },
    apply: (fault) => applyFault(faults, fault),
  };
  return faults;
}
