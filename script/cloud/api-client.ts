/**
 * The ApsaraVideo Live client for the two operations we use. V3-signed RPC calls, parameters in the
 * query string, `accept: application/json`. Everything that varies is injected (fetch, clock, sleep,
 * randomness, nonce) so tests pin the bytes and count the retries without real time passing.
 */
import { randomBytes } from 'node:crypto';
import {
  API_VERSION,
  CreateParams,
  CreateResponse,
  ErrorBody,
  ParticipantsResponse,
  computeExpiry,
  flattenUserList,
  formatIssues,
  DEFAULT_EXPIRE_TIME,
} from '../../shared/cloud-schemas.js';
import { splitRtmpAddress } from '../../shared/rtmp-address.js';
import { API_BACKOFF, apiRetryDelay } from '../../shared/retry-policy.js';
import { ApiError, classify, redact } from './errors.js';
import { signRequest, formatAcsDate, type Credentials } from './sign-v3.js';
import { describeInfo, isCredentialSource, staticCredentials, type CredentialSource } from './credentials.js';
import { bucketFor, type TokenBucket } from './rate-limit.js';
import { badResponse, CREDENTIALS_UNAVAILABLE, credentialsFailed, isTokenRefused } from './api-failures.js';
import type { ClientOptions, IngestUrl, Participants } from './api-types.js';
import { parseEndpoint } from './endpoint.js';

export { CREDENTIALS_UNAVAILABLE } from './api-failures.js';
export type { ApiCallLog, ClientOptions, IngestUrl, Participants } from './api-types.js';
export { parseEndpoint } from './endpoint.js';

const MAX_PAGES = 100;

export class LiveApiClient {
  private readonly url: URL;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly nonce: () => string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly limiter: TokenBucket;
  readonly credentials: CredentialSource;

  constructor(private readonly opts: ClientOptions) {
    this.url = parseEndpoint(opts.endpoint);
    this.fetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = opts.random ?? Math.random;
    this.nonce = opts.nonce ?? (() => randomBytes(16).toString('hex'));
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxAttempts = opts.maxAttempts ?? 4;
    const c = opts.credentials;
    this.credentials = isCredentialSource(c)
      ? c
      : staticCredentials(c, { type: c.securityToken ? 'StsToken' : 'AK', source: 'the caller' });
    // one bucket per account: STS ids change at every refresh, the source they come from does not
    this.limiter =
      opts.limiter ?? bucketFor(isCredentialSource(c) ? `source:${describeInfo(c.info())}` : c.accessKeyId);
  }

  get endpoint(): string {
    return this.url.origin;
  }

  async createRoomRealTimeStreamAddress(input: CreateParams): Promise<IngestUrl> {
    const parsed = CreateParams.safeParse(input);
    if (!parsed.success)
      throw new ApiError({ kind: 'input', code: 'InputInvalid', message: formatIssues(parsed.error) });
    const p = parsed.data;
    const query: Record<string, string> = {
      AppId: p.AppId,
      ChannelId: p.ChannelId,
      UserId: p.UserId,
      DisplayName: p.DisplayName,
    };
    if (p.ExpireTime !== undefined) query.ExpireTime = String(p.ExpireTime);
    const requestedAt = this.now();
    const body = await this.call('CreateRoomRealTimeStreamAddress', 'GET', query);
    const res = CreateResponse.safeParse(body);
    if (!res.success) throw badResponse('CreateRoomRealTimeStreamAddress', formatIssues(res.error), body);
    let split;
    try {
      split = splitRtmpAddress(res.data.RtmpAddress);
    } catch (e) {
      throw badResponse('CreateRoomRealTimeStreamAddress', (e as Error).message, body);
    }
    return {
      requestId: res.data.RequestId,
      rtmpAddress: res.data.RtmpAddress,
      ...split,
      requestedAt,
      expiresAt: computeExpiry(requestedAt, p.ExpireTime ?? DEFAULT_EXPIRE_TIME),
    };
  }

  /** Pages until every user is seen (TotalNum), flattening the comma-joined `UserList` items. */
  async describeChannelParticipants(input: { AppId: string; ChannelId: string }): Promise<Participants> {
    const users: string[] = [];
    const requestIds: string[] = [];
    let total = 0;
    for (let page = 1; page <= MAX_PAGES; page++) {
      const query = { AppId: input.AppId, ChannelId: input.ChannelId, PageNum: String(page) };
      const body = await this.call('DescribeChannelParticipants', 'POST', query);
      const res = ParticipantsResponse.safeParse(body);
      if (!res.success) throw badResponse('DescribeChannelParticipants', formatIssues(res.error), body);
      requestIds.push(res.data.RequestId);
      total = res.data.TotalNum;
      const pageUsers = flattenUserList(res.data.UserList);
      for (const u of pageUsers) if (!users.includes(u)) users.push(u);
      if (pageUsers.length === 0 || users.length >= total || page >= res.data.TotalPage) break;
    }
    return { requestId: requestIds[0]!, requestIds, users, total: Math.max(total, users.length) };
  }

  /**
   * One signed call with deadline, rate limit and retries for throttling, 5xx and network errors only.
   * A refused security token (expired, revoked) re-resolves the credentials once and tries again.
   */
  private async call(action: string, method: 'GET' | 'POST', query: Record<string, string>): Promise<unknown> {
    let lastAttemptAt = -Infinity;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const wait = this.limiter.take(this.now());
      if (wait > 0) await this.sleep(wait);
      lastAttemptAt = this.now();
      try {
        const body = await this.attempt(action, method, query);
        this.opts.log?.({ action, attempt, status: 200, requestId: (body as { RequestId?: string })?.RequestId });
        return body;
      } catch (e) {
        let err = e instanceof ApiError ? e : ApiError.network(action, e);
        if (!refreshed && isTokenRefused(err)) {
          refreshed = true;
          this.opts.log?.({
            action,
            attempt,
            status: err.status,
            code: err.code,
            requestId: err.requestId,
            retryInMs: 0,
            reason: `credentials refused, re-resolving ${describeInfo(this.credentials.info())}`,
          });
          const failed = await this.refreshCredentials(action);
          // no backoff before this one retry: the refusal was about the key, not load (the limiter still applies)
          if (!failed) continue;
          // a refresh that fails is retried like a network error: STS may answer again shortly
          err = failed;
        }
        const delay = err.retryable
          ? apiRetryDelay(attempt, this.random(), err.retryAfterMs, { ...API_BACKOFF, maxAttempts: this.maxAttempts })
          : null;
        this.opts.log?.({
          action,
          attempt,
          status: err.status,
          code: err.code,
          requestId: err.requestId,
          ...(delay !== null ? { retryInMs: delay } : {}),
          reason: err.code === CREDENTIALS_UNAVAILABLE ? `${err.kind}: ${err.message}` : err.kind,
        });
        if (delay === null) throw err;
        // never sooner than 100 ms after the previous attempt started
        const sinceLast = this.now() - lastAttemptAt;
        await this.sleep(Math.max(delay, 100 - sinceLast));
      }
    }
  }

  /** undefined when new credentials were resolved, else the error to report (and retry with backoff) */
  private async refreshCredentials(action: string): Promise<ApiError | undefined> {
    try {
      await this.credentials.refresh();
      return undefined;
    } catch (e) {
      return credentialsFailed(action, e, this.credentials.secrets());
    }
  }

  private async currentCredentials(action: string): Promise<Credentials> {
    try {
      return await this.credentials.get();
    } catch (e) {
      throw credentialsFailed(action, e, this.credentials.secrets());
    }
  }

  private async attempt(action: string, method: 'GET' | 'POST', query: Record<string, string>): Promise<unknown> {
    const credentials = await this.currentCredentials(action);
    const signed = signRequest({
      method,
      host: this.url.host,
      action,
      version: API_VERSION,
      query,
      date: formatAcsDate(this.now()),
      nonce: this.nonce(),
      credentials,
    });
    const headers: Record<string, string> = { ...signed.headers, accept: 'application/json' };
    delete headers.host; // fetch sets Host itself from the URL; it is still part of the signature
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), this.timeoutMs);
    let res: Response;
    let text: string;
    try {
      // no body at all for POST: fetch would add `content-type: text/plain` to an empty string body
      res = await this.fetch(new URL(signed.pathAndQuery, this.url), { method, headers, signal: ac.signal });
      text = await res.text();
    } catch (e) {
      if (ac.signal.aborted) throw ApiError.timeout(action, this.timeoutMs);
      throw ApiError.network(action, e);
    } finally {
      clearTimeout(timer);
    }
    return this.decode(action, res, text, credentials);
  }

  private decode(action: string, res: Response, text: string, used: Credentials): unknown {
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (res.ok) {
      if (body === undefined)
        throw badResponse(action, `HTTP ${res.status} with a body that is not JSON`, text.slice(0, 200));
      return body;
    }
    const retryAfter = Number(res.headers.get('x-acs-retry-after'));
    const parsed = ErrorBody.safeParse(body);
    const code = parsed.success ? parsed.data.Code : res.status >= 500 ? 'ServerError' : `HTTP${res.status}`;
    const message = parsed.success ? (parsed.data.Message ?? code) : `HTTP ${res.status} ${res.statusText}`.trim();
    const kind = classify(res.status, code);
    // an auth error is only actionable when it says which credentials were refused
    const which = kind === 'auth' || kind === 'signature' ? describeInfo(this.credentials.info()) : undefined;
    throw new ApiError({
      kind,
      code,
      credentials: which,
      message: redact(message, [used.accessKeySecret, used.securityToken, ...this.credentials.secrets()]),
      requestId: parsed.success ? parsed.data.RequestId : (res.headers.get('x-acs-request-id') ?? undefined),
      status: res.status,
      retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      action,
    });
  }
}
