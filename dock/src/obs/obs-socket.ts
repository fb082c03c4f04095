/**
 * A minimal obs-websocket v5 client (JSON subprotocol) over the browser's own WebSocket, shaped like
 * obs-websocket-js's OBSWebSocket as far as the shared ObsClient uses it (OBSWebSocketLike). The dock uses
 * this instead of obs-websocket-js to fit its bundle budget: that library brings eventemitter3, debug and
 * crypto-js (about 7 KB gzip in this bundle) for what is a handful of messages here. The authentication hash
 * uses WebCrypto: the dock is served from http://127.0.0.1, a secure context.
 *
 * Protocol (obs-websocket 5.x protocol.md): Hello (op 0) -> Identify (op 1, with authentication when asked)
 * -> Identified (op 2); Event (op 5); Request (op 6) -> RequestResponse (op 7). Like obs-websocket-js: a failed
 * handshake emits ConnectionClosed and rejects connect(); a failed request rejects with (code, comment).
 * Unlike it, requests pending when the socket closes are rejected (its issue #358); ObsClient copes either way.
 */
import type { OBSWebSocketLike } from '../../../shared/obs-client.js';

export const OBS_SUBPROTOCOL = 'obswebsocket.json';

/** What obs-websocket-js rejects with: a numeric `code` (request status or close code) and a message. */
export class ObsSocketError extends Error {
  override name = 'ObsSocketError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** The part of the DOM WebSocket used here (tests pass a fake). */
export interface WebSocketLike {
  readonly readyState: number;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

type Listener = (...args: any[]) => void;
interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

const CLOSED = 3;

export class ObsSocket implements OBSWebSocketLike {
  private ws: WebSocketLike | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly pending = new Map<string, Pending>();
  private readonly closeWaiters: Array<() => void> = [];
  private ids = 0;
  identified = false;

  constructor(private readonly createWebSocket: (url: string) => WebSocketLike = (url) => new WebSocket(url, OBS_SUBPROTOCOL) as unknown as WebSocketLike) {}

  async connect(url: string, password?: string, identification: object = {}): Promise<unknown> {
    if (this.ws) await this.disconnect();
    return new Promise((resolve, reject) => {
      const ws = this.createWebSocket(url);
      this.ws = ws;
      let hello: Record<string, unknown> = {};
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        reject(err);
      };
      ws.onerror = () => undefined; // a close event always follows
      ws.onclose = (ev) => {
        if (this.ws === ws) this.ws = undefined;
        ws.onmessage = ws.onclose = ws.onerror = null;
        this.identified = false;
        const err = new ObsSocketError(ev.code, ev.reason);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        this.emit('ConnectionClosed', err);
        fail(err);
        for (const w of this.closeWaiters.splice(0)) w();
      };
      ws.onmessage = (ev) => {
        let msg: { op?: unknown; d?: any };
        try {
          msg = JSON.parse(String(ev.data)) as typeof msg;
        } catch {
          return; // not ours to crash on; obs-websocket only sends JSON on this subprotocol
        }
        const { op, d } = msg;
        if (!d || typeof d !== 'object') return;
        if (op === 0) {
          const { authentication, ...rest } = d as { authentication?: { challenge: string; salt: string } };
          hello = rest;
          identify(d.rpcVersion, authentication).catch((err: unknown) => {
            fail(err); // e.g. no WebCrypto (not a secure context)
            ws.close();
          });
        } else if (op === 2) {
          this.identified = true;
          settled = true;
          resolve({ ...hello, ...d });
        } else if (op === 5) {
          this.emit(String(d.eventType), d.eventData);
        } else if (op === 7) {
          const p = this.pending.get(String(d.requestId));
          if (!p) return;
          this.pending.delete(String(d.requestId));
          const status = d.requestStatus ?? {};
          if (status.result) p.resolve(d.responseData);
          else p.reject(new ObsSocketError(Number(status.code), String(status.comment ?? '')));
        }
      };
      const identify = async (rpcVersion: unknown, auth?: { challenge: string; salt: string }) => {
        const data: Record<string, unknown> = { rpcVersion, ...identification };
        if (auth && password) data.authentication = await authenticationHash(password, auth.salt, auth.challenge);
        if (this.ws === ws) ws.send(JSON.stringify({ op: 1, d: data }));
      };
    });
  }

  disconnect(): Promise<void> {
    const ws = this.ws;
    if (!ws || ws.readyState === CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.closeWaiters.push(resolve);
      ws.close();
    });
  }

  call(requestType: string, requestData?: object): Promise<unknown> {
    const ws = this.ws;
    if (!ws || !this.identified) return Promise.reject(new Error('Socket not identified'));
    const requestId = String(++this.ids);
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      ws.send(JSON.stringify({ op: 6, d: { requestType, requestId, requestData } }));
    });
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

  private emit(event: string, ...args: unknown[]): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) l(...args);
  }
}

/** base64(sha256(base64(sha256(password + salt)) + challenge)) (obs-websocket protocol.md, "Creating an authentication string"). */
export async function authenticationHash(password: string, salt: string, challenge: string): Promise<string> {
  const secret = await sha256Base64(password + salt);
  return sha256Base64(secret + challenge);
}

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  let bin = '';
  for (const b of new Uint8Array(digest)) bin += String.fromCharCode(b);
  return btoa(bin);
}
