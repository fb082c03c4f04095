/** The client's options, its call log entries and what its two operations return. */
import type { TokenBucket } from './rate-limit.js';
import type { Credentials } from './sign-v3.js';
import type { CredentialSource } from './credentials.js';

export interface ApiCallLog {
  action: string;
  attempt: number;
  status?: number;
  code?: string;
  requestId?: string;
  retryInMs?: number;
  reason?: string;
}

export interface ClientOptions {
  endpoint: string;
  /** fixed credentials, or a source asked before every request (the official chain refreshes STS ones) */
  credentials: Credentials | CredentialSource;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  nonce?: () => string;
  /** per-attempt deadline */
  timeoutMs?: number;
  maxAttempts?: number;
  limiter?: TokenBucket;
  log?: (entry: ApiCallLog) => void;
}

export interface IngestUrl {
  requestId: string;
  rtmpAddress: string;
  server: string;
  streamKey: string;
  /** ms since epoch: request time + ExpireTime */
  expiresAt: number;
  requestedAt: number;
}

export interface Participants {
  requestId: string;
  users: string[];
  total: number;
  requestIds: string[];
}
