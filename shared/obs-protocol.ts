/**
 * obs-websocket v5 protocol facts we act on: close codes, request status codes, event subscriptions, and the
 * StreamStateChanged event schema. Numbers come from obs-websocket's protocol.md (5.1, rpcVersion 1);
 * obs-websocket-js 5.0.8 does not export the close codes. Pure: runs in the dock and in Node.
 */
import * as z from 'zod/mini';

/** WebSocketCloseCode (obs-websocket protocol.md) plus the RFC 6455 codes a client sees. */
export const ObsCloseCode = {
  Normal: 1000,
  /** obs-websocket closes every session with 1001 "Server stopping." when OBS quits */
  GoingAway: 1001,
  /** no close frame (browser: server unreachable, TCP reset, process died) */
  Abnormal: 1006,
  UnknownReason: 4000,
  MessageDecodeError: 4002,
  MissingDataField: 4003,
  InvalidDataFieldType: 4004,
  InvalidDataFieldValue: 4005,
  UnknownOpCode: 4006,
  NotIdentified: 4007,
  AlreadyIdentified: 4008,
  AuthenticationFailed: 4009,
  UnsupportedRpcVersion: 4010,
  SessionInvalidated: 4011,
  UnsupportedFeature: 4012,
} as const;

/**
 * What a close means for the caller:
 * - auth-failed (4009): ask for the password; never retry the same one blindly
 * - session-invalidated (4011): the server kicked this client; never reconnect automatically
 * - unsupported-rpc (4010): OBS too old/new for rpcVersion 1; retrying will not help
 * - protocol-error (4002-4008, 4012): a bug on our side; retrying will not help
 * - unreachable: the connection never got identified (OBS not running, wrong port, websocket off)
 * - lost: an identified session ended (OBS quit 1001, crashed or the network dropped 1006); retry with backoff
 * - normal: this client disconnected on purpose
 */
export type ObsCloseClass =
  'auth-failed' | 'session-invalidated' | 'unsupported-rpc' | 'protocol-error' | 'unreachable' | 'lost' | 'normal';

export function classifyClose(code: number, wasIdentified = false): ObsCloseClass {
  switch (code) {
    case ObsCloseCode.AuthenticationFailed:
      return 'auth-failed';
    case ObsCloseCode.SessionInvalidated:
      return 'session-invalidated';
    case ObsCloseCode.UnsupportedRpcVersion:
      return 'unsupported-rpc';
  }
  if (code >= ObsCloseCode.MessageDecodeError && code <= ObsCloseCode.UnsupportedFeature) return 'protocol-error';
  return wasIdentified ? 'lost' : 'unreachable';
}

/** RequestStatus (obs-websocket protocol.md); the ones this product reasons about. */
export const ObsRequestStatus = {
  Success: 100,
  MissingRequestType: 203,
  UnknownRequestType: 204,
  GenericError: 205,
  /** "the server is not ready to handle the request" (e.g. OBS still starting): retry after a delay */
  NotReady: 207,
  MissingRequestField: 300,
  MissingRequestData: 301,
  InvalidRequestField: 400,
  InvalidRequestFieldType: 401,
  RequestFieldOutOfRange: 402,
  RequestFieldEmpty: 403,
  TooManyRequestFields: 404,
  OutputRunning: 500,
  OutputNotRunning: 501,
  OutputPaused: 502,
  OutputNotPaused: 503,
  OutputDisabled: 504,
  StudioModeActive: 505,
  StudioModeNotActive: 506,
  ResourceNotFound: 600,
  ResourceCreationFailed: 700,
  RequestProcessingFailed: 702,
} as const;

/** EventSubscription bits: General carries ExitStarted, Outputs carries StreamStateChanged. */
export const ObsEventSubscription = { General: 1 << 0, Outputs: 1 << 6 } as const;
export const DEFAULT_EVENT_SUBSCRIPTIONS = ObsEventSubscription.General | ObsEventSubscription.Outputs;

/** RECONNECTING/RECONNECTED exist since obs-websocket 5.1 (OBS 29). */
export const OBS_OUTPUT_STATES = [
  'OBS_WEBSOCKET_OUTPUT_STARTING',
  'OBS_WEBSOCKET_OUTPUT_STARTED',
  'OBS_WEBSOCKET_OUTPUT_STOPPING',
  'OBS_WEBSOCKET_OUTPUT_STOPPED',
  'OBS_WEBSOCKET_OUTPUT_RECONNECTING',
  'OBS_WEBSOCKET_OUTPUT_RECONNECTED',
] as const;

export const StreamStateChanged = z.object({
  outputActive: z.boolean(),
  outputState: z.enum(OBS_OUTPUT_STATES),
});
export type StreamStateChanged = z.infer<typeof StreamStateChanged>;
export type ObsOutputState = StreamStateChanged['outputState'];
