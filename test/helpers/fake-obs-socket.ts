/**
 * An in-memory stand-in for obs-websocket-js's OBSWebSocket, shaped like that library's own test server
 * (tests/helpers/dev-server.ts): a table of request handlers, arrays of what it received and sent, `send()` to
 * push an event and `teardown()` to drop the connection. It reproduces the library's behaviour where it
 * matters: a failed Identify emits ConnectionClosed (4009) and rejects connect(); a request the server never
 * answered stays pending forever after the socket closes (obs-websocket-js issue #358).
 */
import type { OBSWebSocketLike } from '../../shared/obs-client.js';

/** What obs-websocket-js throws: OBSWebSocketError(code, message). */
export class FakeObsError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A handler returning HANG never answers (OBS busy, or the response lost). */
export const HANG = Symbol('hang');

export type FakeHandler = (data?: object) => unknown;

export interface FakeOptions {
  /** when set, connect() with another password fails like OBS: close 4009 "Authentication failed." */
  password?: string;
  /** when set, OBS listens only here: connect() to another URL fails like a closed port (1006) */
  url?: string;
  /** 'hang': never get past Hello; { closeCode }: the server closes during the handshake */
  connect?: 'ok' | 'hang' | { closeCode: number; reason?: string };
  /** 'hang': disconnect() never sees the close frame */
  disconnect?: 'ok' | 'hang';
  handlers?: Record<string, FakeHandler>;
}

/** a listener as obs-websocket-js takes it: each event has its own arguments, so the fake holds them untyped */
type Listener = (...args: never[]) => void;

export class FakeObsSocket implements OBSWebSocketLike {
  readonly handlers: Record<string, FakeHandler>;
  /** requests the fake OBS received */
  readonly received: Array<{ requestType: string; requestData?: object }> = [];
  /** events the fake OBS pushed */
  readonly sent: Array<{ eventType: string; eventData?: unknown }> = [];
  readonly connects: Array<{ url: string; password?: string; identification?: object }> = [];
  disconnectCalls = 0;
  identified = false;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(readonly options: FakeOptions = {}) {
    this.handlers = {
      GetVersion: () => ({ obsVersion: '29.0.2', obsWebSocketVersion: '5.1.0', rpcVersion: 1 }),
      ...options.handlers,
    };
  }

  async connect(url: string, password?: string, identification?: object): Promise<unknown> {
    this.connects.push({ url, password, identification });
    const behaviour = this.options.connect ?? 'ok';
    if (behaviour === 'hang') return new Promise(() => undefined);
    await Promise.resolve();
    if (typeof behaviour === 'object') return this.failHandshake(behaviour.closeCode, behaviour.reason ?? '');
    if (this.options.url !== undefined && url !== this.options.url)
      return this.failHandshake(1006, 'connect ECONNREFUSED');
    if (this.options.password !== undefined && password !== this.options.password)
      return this.failHandshake(4009, 'Authentication failed.');
    this.identified = true;
    return { obsWebSocketVersion: '5.1.0', rpcVersion: 1, negotiatedRpcVersion: 1 };
  }

  async disconnect(): Promise<void> {
    this.disconnectCalls += 1;
    if (this.options.disconnect === 'hang') return new Promise(() => undefined);
    if (this.identified) this.close(1000, '');
  }

  call(requestType: string, requestData?: object): Promise<unknown> {
    if (!this.identified) return Promise.reject(new Error('Socket not identified'));
    this.received.push({ requestType, requestData });
    const handler = this.handlers[requestType];
    if (!handler) return Promise.reject(new FakeObsError(204, 'Your request type is not valid.'));
    try {
      const result = handler(requestData);
      return result === HANG ? new Promise(() => undefined) : Promise.resolve(result);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Push an event to the client, as OBS would. */
  send(eventType: string, eventData?: unknown): void {
    this.sent.push({ eventType, eventData });
    this.emit(eventType, eventData);
  }

  /** The server side drops the connection (default 1006: no close frame). Pending calls stay pending. */
  teardown(code = 1006, reason = ''): void {
    this.close(code, reason);
  }

  on(event: string, listener: Listener): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  off(event: string, listener: Listener): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  private close(code: number, reason: string): void {
    this.identified = false;
    this.emit('ConnectionClosed', new FakeObsError(code, reason));
  }

  private failHandshake(code: number, reason: string): Promise<never> {
    const err = new FakeObsError(code, reason);
    this.emit('ConnectionClosed', err);
    return Promise.reject(err);
  }

  private emit(event: string, ...args: unknown[]): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) (l as (...a: unknown[]) => void)(...args);
  }
}

/** A socket factory that remembers every socket it made. */
export function fakeSocketFactory(options: FakeOptions = {}) {
  const sockets: FakeObsSocket[] = [];
  return {
    sockets,
    createSocket: () => {
      const s = new FakeObsSocket(options);
      sockets.push(s);
      return s;
    },
    get last(): FakeObsSocket {
      const s = sockets.at(-1);
      if (!s) throw new Error('no socket created yet');
      return s;
    },
  };
}
