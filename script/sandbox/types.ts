/** Types shared by the sandbox's modules (emulator, faults, ingest) and its users (CLI, server, tests). */
import type { RejectReason } from './state.js';

/** The operations the sandbox answers, with the HTTP method the doc gives each. */
export const ACTIONS = {
  CreateRoomRealTimeStreamAddress: { method: 'GET' },
  DescribeChannelParticipants: { method: 'POST' },
} as const;
export type SandboxAction = keyof typeof ACTIONS;

export interface SandboxCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  /** set when the sandbox was started with `sts: true` */
  securityToken?: string;
}

/** What an injected failure answers: any status and Code; `retryAfterMs` becomes `x-acs-retry-after`. */
export interface FailureSpec {
  status: number;
  code: string;
  message?: string;
  retryAfterMs?: number;
}

export type EndCause = 'disconnected' | 'kicked' | 'replaced';

export interface PublishInfo {
  sessionId: string;
  streamName: string;
  appId: string;
  channelId: string;
  userId: string;
}

/** Everything observable that happens in the sandbox, for tests (await these instead of sleeping) and logs. */
export type SandboxEvent =
  | { type: 'api'; action: string; status: number; code: string; requestId: string }
  | ({ type: 'publish-accepted' } & PublishInfo)
  | { type: 'publish-rejected'; sessionId: string; streamName: string; reason: RejectReason; detail: string }
  | ({ type: 'publish-ended'; cause: EndCause } & PublishInfo);

export interface PublisherStats extends PublishInfo {
  since: number;
  /** false after a silent removal */
  listed: boolean;
}

export interface SandboxStats {
  /** the emulator's clock (ms), shift included */
  now: number;
  clockOffsetSeconds: number;
  /** requests per action (every request that named a known action, whatever its outcome) */
  calls: Record<string, number>;
  /** action -> "OK" or error Code -> count */
  outcomes: Record<string, Record<string, number>>;
  issuedUrls: number;
  publishes: { accepted: number; rejected: Record<RejectReason, number>; ended: Record<EndCause, number> };
  publishers: PublisherStats[];
  pendingFailures: Array<{ action: string; remaining: number; status: number; code: string }>;
}
