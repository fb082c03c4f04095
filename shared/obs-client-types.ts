/**
 * ObsClient's contract apart from its workings (shared/obs-client.ts): the transport it needs, its options, its
 * events and states. Re-exported by obs-client.ts, so callers keep importing from there.
 */
import type { OBSRequestTypes } from 'obs-websocket-js';
import type { ObsCloseClass, StreamStateChanged } from './obs-protocol.js';

/** The part of obs-websocket-js's OBSWebSocket this client uses (method syntax: the real generic methods fit). */
export interface OBSWebSocketLike {
  connect(
    url: string,
    password?: string,
    identification?: { rpcVersion?: number; eventSubscriptions?: number },
  ): Promise<unknown>;
  disconnect(): Promise<void>;
  call(requestType: string, requestData?: object): Promise<unknown>;
  // any: obs-websocket-js types each event's listener arguments by a generic map no narrower type accepts
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
  on(event: string, listener: (...args: any[]) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as for on()
  off(event: string, listener: (...args: any[]) => void): unknown;
}

export type TimerHandle = unknown;

export interface ObsClientOptions {
  createSocket: () => OBSWebSocketLike;
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => TimerHandle;
  clearTimeout?: (handle: TimerHandle) => void;
  /** default deadline of `call()`, ms */
  callTimeoutMs?: number;
  /** deadline of `connect()` (socket open + Hello + Identify), ms */
  connectTimeoutMs?: number;
  /** obs-websocket EventSubscription bits; default General (ExitStarted) | Outputs (StreamStateChanged) */
  eventSubscriptions?: number;
  /** where dropped events and listener errors are reported; default console.warn. Never gets the password. */
  warn?: (message: string, detail?: unknown) => void;
}

export interface ObsConnectedEvent {
  url: string;
  obsWebSocketVersion: string | undefined;
  negotiatedRpcVersion: number | undefined;
  at: number;
}

export interface ObsClosedEvent {
  code: number;
  reason: string;
  classification: ObsCloseClass;
  /** the session had been identified (false: the connect attempt itself failed) */
  wasConnected: boolean;
  at: number;
}

export interface ObsClientEvents {
  connected: ObsConnectedEvent;
  closed: ObsClosedEvent;
  StreamStateChanged: StreamStateChanged;
  ExitStarted: Record<string, never>;
}

export type ObsClientState = 'idle' | 'connecting' | 'connected';
export type ObsRequestType = keyof OBSRequestTypes;
