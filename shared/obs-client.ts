/**
 * A small, safe wrapper around obs-websocket-js 5.0.8, shared by the dock and the Node helper. It closes the
 * library's gaps: every connect and call has a deadline, calls pending when the socket closes are rejected
 * (obs-websocket-js issue #358), closes are classified, and StreamStateChanged is validated before anyone sees
 * it. It does not reconnect by itself: the caller asks `nextObsReconnectDelay` and owns the timer.
 *
 * The transport is injected (`createSocket`): the dock passes `() => new OBSWebSocket()` from 'obs-websocket-js'
 * (its browser JSON build), Node passes the one from 'obs-websocket-js/json' or the msgpack default, tests a fake.
 * Pure: no Node built-ins; timers and clock are injectable.
 */
import type { OBSRequestTypes, OBSResponseTypes } from 'obs-websocket-js';
import { closeCodeOf, messageOf, ObsClientError, toRequestError } from './obs-errors.js';
import {
  classifyClose,
  DEFAULT_EVENT_SUBSCRIPTIONS,
  ObsCloseCode,
  StreamStateChanged,
  type ObsCloseClass,
} from './obs-protocol.js';

import type {
  OBSWebSocketLike,
  ObsClientEvents,
  ObsClientOptions,
  ObsClientState,
  ObsClosedEvent,
  ObsConnectedEvent,
  ObsRequestType,
} from './obs-client-types.js';

export * from './obs-protocol.js';
export * from './obs-errors.js';
export * from './obs-reconnect-policy.js';
export * from './obs-client-types.js';

type Listener<K extends keyof ObsClientEvents> = (event: ObsClientEvents[K]) => void;

interface Session {
  socket: OBSWebSocketLike;
  url: string;
  identified: boolean;
  closed: ObsClosedEvent | undefined;
  detach: () => void;
}

interface PendingCall {
  requestType: string;
  fail: (err: ObsClientError) => void;
}

export class ObsClient {
  private readonly opts: Required<Omit<ObsClientOptions, 'createSocket'>> & Pick<ObsClientOptions, 'createSocket'>;
  private readonly listeners = new Map<keyof ObsClientEvents, Set<(event: never) => void>>();
  private readonly pending = new Set<PendingCall>();
  private session: Session | undefined;
  private connecting: { url: string; promise: Promise<ObsConnectedEvent> } | undefined;
  private closedLast: ObsClosedEvent | undefined;

  constructor(options: ObsClientOptions) {
    if (typeof options?.createSocket !== 'function') throw new TypeError('ObsClient: createSocket must be a function');
    for (const key of ['callTimeoutMs', 'connectTimeoutMs'] as const) {
      const v = options[key];
      if (v !== undefined && !(Number.isFinite(v) && v > 0))
        throw new RangeError(`ObsClient: ${key} must be a positive number of ms`);
    }
    this.opts = {
      createSocket: options.createSocket,
      now: options.now ?? (() => Date.now()),
      // read the globals at call time so fake timers installed after construction still apply
      setTimeout: options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms)),
      clearTimeout:
        options.clearTimeout ?? ((h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>)),
      callTimeoutMs: options.callTimeoutMs ?? 5_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      eventSubscriptions: options.eventSubscriptions ?? DEFAULT_EVENT_SUBSCRIPTIONS,
      warn: options.warn ?? ((message, detail) => console.warn(`[obs-client] ${message}`, detail ?? '')),
    };
  }

  get state(): ObsClientState {
    if (this.connecting) return 'connecting';
    return this.session?.identified ? 'connected' : 'idle';
  }

  /** How the newest session ended: what a listener that comes late needs to know while the client is idle. */
  get lastClose(): ObsClosedEvent | undefined {
    return this.closedLast;
  }

  /** Subscribe; returns the unsubscribe function. A throwing listener is reported, never breaks the others. */
  on<K extends keyof ObsClientEvents>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => this.off(event, listener);
  }

  off<K extends keyof ObsClientEvents>(event: K, listener: Listener<K>): void {
    this.listeners.get(event)?.delete(listener as (event: never) => void);
  }

  /**
   * Opens the socket and identifies, within `connectTimeoutMs`. A second call while one is in flight for the
   * same URL joins it (single flight); a call while connected replaces the session.
   */
  connect(url: string, password?: string): Promise<ObsConnectedEvent> {
    if (this.connecting) {
      if (this.connecting.url === url) return this.connecting.promise;
      return Promise.reject(ObsClientError.busy(`already connecting to ${this.connecting.url}`));
    }
    const promise = this.open(url, password).finally(() => {
      if (this.connecting?.promise === promise) this.connecting = undefined;
    });
    this.connecting = { url, promise };
    return promise;
  }

  /** Sends one request with a deadline. Rejects with ObsClientError (kind timeout / closed / not-connected / request). */
  call<K extends ObsRequestType>(
    requestType: K,
    requestData?: OBSRequestTypes[K],
    timeoutMs = this.opts.callTimeoutMs,
  ): Promise<OBSResponseTypes[K]> {
    const session = this.session;
    if (!session?.identified) return Promise.reject(ObsClientError.notConnected(requestType));
    return new Promise<OBSResponseTypes[K]>((resolve, reject) => {
      const entry: PendingCall = {
        requestType,
        fail: (err) => {
          this.pending.delete(entry);
          this.opts.clearTimeout(timer);
          reject(err);
        },
      };
      const timer = this.opts.setTimeout(
        () => entry.fail(ObsClientError.timeout(requestType, timeoutMs, requestType)),
        timeoutMs,
      );
      this.pending.add(entry);
      // deferred one microtask so a transport that throws synchronously still ends in entry.fail;
      // nothing is sent when the entry already ended (closed meanwhile)
      const send = () =>
        this.pending.has(entry) ? session.socket.call(requestType, requestData as object | undefined) : undefined;
      Promise.resolve()
        .then(send)
        .then(
          (data) => {
            if (!this.pending.delete(entry)) return; // already timed out or rejected by a close
            this.opts.clearTimeout(timer);
            resolve(data as OBSResponseTypes[K]);
          },
          (err: unknown) => {
            if (this.pending.has(entry)) entry.fail(toRequestError(requestType, err));
          },
        );
    });
  }

  /** Closes on purpose: pending calls reject, `closed` fires with classification 'normal'. Never hangs. */
  async disconnect(): Promise<void> {
    this.connecting = undefined;
    await this.closeSession();
  }

  private async closeSession(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.endSession(session, ObsCloseCode.Normal, 'client disconnect', 'normal');
    await this.withDeadline(session.socket.disconnect(), this.opts.connectTimeoutMs).catch(() => undefined);
  }

  private async open(url: string, password: string | undefined): Promise<ObsConnectedEvent> {
    await this.closeSession();
    const socket = this.opts.createSocket();
    const session: Session = { socket, url, identified: false, closed: undefined, detach: () => undefined };
    session.detach = this.attach(session);
    this.session = session;
    const identification = { rpcVersion: 1, eventSubscriptions: this.opts.eventSubscriptions };
    let hello: unknown;
    try {
      hello = await this.withDeadline(socket.connect(url, password, identification), this.opts.connectTimeoutMs);
    } catch (err) {
      throw this.failConnect(session, err);
    }
    if (this.session !== session || session.closed) {
      // closed or replaced (disconnect() during connect) between Identified and now
      const c = session.closed;
      throw c ? ObsClientError.closed(c.code, c.reason, c.classification) : ObsClientError.notConnected();
    }
    session.identified = true;
    const h = (hello ?? {}) as { obsWebSocketVersion?: unknown; negotiatedRpcVersion?: unknown };
    const event: ObsConnectedEvent = {
      url,
      obsWebSocketVersion: typeof h.obsWebSocketVersion === 'string' ? h.obsWebSocketVersion : undefined,
      negotiatedRpcVersion: typeof h.negotiatedRpcVersion === 'number' ? h.negotiatedRpcVersion : undefined,
      at: this.opts.now(),
    };
    this.emit('connected', event);
    return event;
  }

  /** A failed connect: make sure the session is over (exactly one `closed`), and say why. */
  private failConnect(session: Session, err: unknown): ObsClientError {
    const timedOut = err === TIMED_OUT;
    if (!session.closed && this.session === session) {
      const code = timedOut ? ObsCloseCode.Abnormal : closeCodeOf(err);
      const reason = timedOut ? 'connect timed out' : messageOf(err);
      this.endSession(session, code, reason);
      void this.withDeadline(session.socket.disconnect(), this.opts.connectTimeoutMs).catch(() => undefined);
    }
    if (timedOut) return ObsClientError.timeout('connect', this.opts.connectTimeoutMs);
    const c = session.closed;
    if (!c) return ObsClientError.notConnected(undefined, err);
    return ObsClientError.closed(c.code, c.reason, c.classification, undefined, err);
  }

  private attach(session: Session): () => void {
    const { socket } = session;
    const onClosed = (e: unknown) => {
      if (!session.closed) this.endSession(session, closeCodeOf(e), messageOf(e));
    };
    const onStream = (data: unknown) => {
      if (session.closed) return;
      const parsed = StreamStateChanged.safeParse(data);
      if (!parsed.success) {
        this.opts.warn(
          'dropped a malformed StreamStateChanged event',
          parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
        );
        return;
      }
      this.emit('StreamStateChanged', parsed.data);
    };
    const onExit = () => {
      if (!session.closed) this.emit('ExitStarted', {});
    };
    socket.on('ConnectionClosed', onClosed);
    socket.on('StreamStateChanged', onStream);
    socket.on('ExitStarted', onExit);
    return () => {
      socket.off('ConnectionClosed', onClosed);
      socket.off('StreamStateChanged', onStream);
      socket.off('ExitStarted', onExit);
    };
  }

  private endSession(session: Session, code: number, reason: string, forced?: ObsCloseClass): void {
    if (session.closed) return;
    const classification = forced ?? classifyClose(code, session.identified);
    session.closed = { code, reason, classification, wasConnected: session.identified, at: this.opts.now() };
    this.closedLast = session.closed;
    session.detach();
    if (this.session === session) this.session = undefined;
    for (const entry of [...this.pending])
      entry.fail(ObsClientError.closed(code, reason, classification, entry.requestType));
    this.emit('closed', session.closed);
  }

  private emit<K extends keyof ObsClientEvents>(event: K, payload: ObsClientEvents[K]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        (listener as Listener<K>)(payload);
      } catch (err) {
        this.opts.warn(`a "${event}" listener threw`, err);
      }
    }
  }

  private withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.opts.setTimeout(() => reject(TIMED_OUT), ms);
      promise.then(
        (v) => {
          this.opts.clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          this.opts.clearTimeout(timer);
          reject(e);
        },
      );
    });
  }
}

const TIMED_OUT = Symbol('timed out');
