/**
 * What the sandbox cloud knows: the ingest URLs it issued (stream name -> channel and user), the RTMP
 * publishes that are live, simulated (non-RTMP) users, and the shifted clock. Presence follows RTMP: a
 * user is in its channel while one of its publishes is live and not silently removed.
 *
 * Rules the doc leaves open, decided here:
 * - A second publish to the same ingest URL while one is live is refused ("one stream per ingest URL").
 * - A publish by a UserId that is already live in the channel through another URL replaces the older
 *   session (ARTC kicks the older login of a UserId); the older RTMP session is closed.
 * - A URL that expires while its publish is live does not cut the publish; only the next publish fails.
 */
import { verifyAuthKey } from './auth-key.js';

export type RejectReason = 'unknown' | 'forged' | 'expired' | 'duplicate';

export interface IssuedStream {
  streamName: string;
  app: string;
  appId: string;
  channelId: string;
  userId: string;
  displayName: string;
  issuedAt: number;
  /** first instant (ms, emulator clock) at which the URL is refused */
  expiresAt: number;
}

export interface PublishAttempt {
  sessionId: string;
  app: string;
  stream: string;
  /** the stream key's `auth_key` query value as the ingest parsed it */
  authKey: string | readonly string[] | undefined;
  /** closes the RTMP session (used by kicks and replacements) */
  close: () => void;
}

export type PublishVerdict =
  { ok: true; stream: IssuedStream; replaced: LivePublish[] } | { ok: false; reason: RejectReason; detail: string };

export interface LivePublish {
  sessionId: string;
  streamName: string;
  appId: string;
  channelId: string;
  userId: string;
  since: number;
  /** false after a silent removal: the RTMP stays up but the user is not listed */
  listed: boolean;
  seq: number;
  close: () => void;
}

export interface UserRef {
  appId: string;
  channelId: string;
  userId: string;
}

const MAX_STREAMS = 10_000;
const channelKey = (appId: string, channelId: string) => `${appId}\u0000${channelId}`;

export class SandboxState {
  readonly streams = new Map<string, IssuedStream>();
  readonly live = new Map<string, LivePublish>();
  /** channel -> userId -> join sequence */
  private readonly simulated = new Map<string, Map<string, { since: number; seq: number }>>();
  private seq = 0;
  offsetMs = 0;

  constructor(
    private readonly baseNow: () => number,
    private readonly privateKey: string,
  ) {}

  now(): number {
    return this.baseNow() + this.offsetMs;
  }

  issue(stream: IssuedStream): void {
    if (this.streams.size >= MAX_STREAMS) this.forgetExpired();
    this.streams.set(stream.streamName, stream);
  }

  /** Keeps the table bounded for long runs: expired URLs without a live publish can never be used again. */
  private forgetExpired(): void {
    const now = this.now();
    const live = new Set([...this.live.values()].map((p) => p.streamName));
    for (const [name, s] of this.streams) if (s.expiresAt <= now && !live.has(name)) this.streams.delete(name);
  }

  /** The ingest's decision for a publish, made and recorded in one synchronous step (no race). */
  admit(a: PublishAttempt): PublishVerdict {
    const s = this.streams.get(a.stream);
    if (!s || s.app !== a.app)
      return { ok: false, reason: 'unknown', detail: 'this stream name was never issued by the sandbox' };
    const v = verifyAuthKey({
      app: a.app,
      stream: a.stream,
      authKey: a.authKey,
      privateKey: this.privateKey,
      nowMs: this.now(),
    });
    if (!v.ok) return { ok: false, reason: v.reason === 'expired' ? 'expired' : 'forged', detail: v.detail };
    if ([...this.live.values()].some((p) => p.streamName === s.streamName)) {
      return { ok: false, reason: 'duplicate', detail: 'this ingest URL already has a live publisher' };
    }
    const older = [...this.live.values()].filter(
      (p) => p.appId === s.appId && p.channelId === s.channelId && p.userId === s.userId,
    );
    this.live.set(a.sessionId, {
      sessionId: a.sessionId,
      streamName: s.streamName,
      appId: s.appId,
      channelId: s.channelId,
      userId: s.userId,
      since: this.now(),
      listed: true,
      seq: ++this.seq,
      close: a.close,
    });
    for (const p of older) {
      this.live.delete(p.sessionId);
      p.close();
    }
    return { ok: true, stream: s, replaced: older };
  }

  /** The RTMP session ended (socket closed); unknown ids (rejected or replaced sessions) are ignored. */
  end(sessionId: string): LivePublish | undefined {
    const p = this.live.get(sessionId);
    this.live.delete(sessionId);
    return p;
  }

  /** Users in the channel, in join order (oldest first), each once. */
  participants(appId: string, channelId: string): string[] {
    const joined = new Map<string, number>();
    for (const p of this.live.values()) {
      if (p.listed && p.appId === appId && p.channelId === channelId)
        joined.set(p.userId, Math.min(p.seq, joined.get(p.userId) ?? Infinity));
    }
    for (const [userId, u] of this.simulated.get(channelKey(appId, channelId)) ?? []) {
      joined.set(userId, Math.min(u.seq, joined.get(userId) ?? Infinity));
    }
    return [...joined.entries()].sort((a, b) => a[1] - b[1]).map(([userId]) => userId);
  }

  isSimulated(u: UserRef): boolean {
    return this.simulated.get(channelKey(u.appId, u.channelId))?.has(u.userId) ?? false;
  }

  addSimulated(appId: string, channelId: string, userIds: readonly string[]): void {
    const key = channelKey(appId, channelId);
    const users = this.simulated.get(key) ?? new Map<string, { since: number; seq: number }>();
    for (const id of userIds) if (!users.has(id)) users.set(id, { since: this.now(), seq: ++this.seq });
    this.simulated.set(key, users);
  }

  removeSimulated(appId: string, channelId: string, userIds: readonly string[]): number {
    const users = this.simulated.get(channelKey(appId, channelId));
    return userIds.filter((id) => users?.delete(id)).length;
  }

  /** Publishes of a user (or of one stream name) that are live now. */
  find(target: UserRef | { streamName: string }): LivePublish[] {
    return [...this.live.values()].filter((p) =>
      'streamName' in target
        ? p.streamName === target.streamName
        : p.appId === target.appId && p.channelId === target.channelId && p.userId === target.userId,
    );
  }

  /** Unlists a user's live publishes until they publish again; the RTMP sessions stay up. */
  silentRemove(u: UserRef): number {
    const hits = this.find(u).filter((p) => p.listed);
    for (const p of hits) p.listed = false;
    return hits.length;
  }

  clearSimulated(): void {
    this.simulated.clear();
  }
}
