/**
 * The OBS client's error family (LiveKit style: one class, static factories) and the one place that decides
 * what a failed request means. Pure: runs in the dock and in Node.
 */
import { ObsCloseCode, ObsRequestStatus, type ObsCloseClass } from './obs-protocol.js';

export type ObsErrorKind = 'timeout' | 'closed' | 'not-connected' | 'busy' | 'request';

export interface ObsErrorDetails {
  requestType?: string;
  /** request status code (kind 'request') or close code (kind 'closed') */
  code?: number;
  closeClass?: ObsCloseClass;
  cause?: unknown;
}

export class ObsClientError extends Error {
  override readonly name = 'ObsClientError';
  readonly kind: ObsErrorKind;
  readonly requestType: string | undefined;
  readonly code: number | undefined;
  readonly closeClass: ObsCloseClass | undefined;

  constructor(kind: ObsErrorKind, message: string, details: ObsErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.requestType = details.requestType;
    this.code = details.code;
    this.closeClass = details.closeClass;
  }

  static timeout(what: string, ms: number, requestType?: string): ObsClientError {
    return new ObsClientError('timeout', `${what} got no answer from OBS within ${ms} ms`, { requestType });
  }

  static closed(
    code: number,
    reason: string,
    closeClass: ObsCloseClass,
    requestType?: string,
    cause?: unknown,
  ): ObsClientError {
    const why = reason ? `: ${reason}` : '';
    return new ObsClientError('closed', `connection to OBS closed (${code} ${closeClass}${why})`, {
      code,
      closeClass,
      requestType,
      cause,
    });
  }

  static notConnected(requestType?: string, cause?: unknown): ObsClientError {
    return new ObsClientError('not-connected', `not connected to OBS${requestType ? ` (${requestType})` : ''}`, {
      requestType,
      cause,
    });
  }

  static busy(message: string): ObsClientError {
    return new ObsClientError('busy', message);
  }

  static request(requestType: string, code: number, comment: string | undefined, cause?: unknown): ObsClientError {
    const text = comment ? `: ${comment}` : '';
    return new ObsClientError('request', `${requestType} failed with status ${code}${text}`, {
      requestType,
      code,
      cause,
    });
  }
}

/**
 * - already-so: StartStream answered 500 OutputRunning / StopStream 501 OutputNotRunning; treat as success
 * - not-ready: 207; retry after a delay
 * - output-busy: 500 on another request (e.g. SetStreamServiceSettings while streaming): stop first
 * - timeout / disconnected: the outcome is unknown; only read-only Get* requests may be re-sent blindly (a
 *   second StartStream before STARTED/STOPPED doubled events and once crashed OBS 29: obs.md)
 * - invalid-request: 203-404, a bug on our side; never retry
 * - failed: any other status (e.g. 600 ResourceNotFound, 702 processing failed)
 */
export type RequestErrorKind =
  'already-so' | 'not-ready' | 'output-busy' | 'timeout' | 'disconnected' | 'invalid-request' | 'failed';

export interface RequestErrorClass {
  kind: RequestErrorKind;
  retryable: boolean;
  code?: number;
}

export function classifyRequestError(err: unknown, requestType?: string): RequestErrorClass {
  const type = requestType ?? (err instanceof ObsClientError ? err.requestType : undefined) ?? '';
  const readOnly = type.startsWith('Get');
  if (err instanceof ObsClientError && err.kind !== 'request') {
    if (err.kind === 'timeout') return { kind: 'timeout', retryable: readOnly };
    if (err.kind === 'busy') return { kind: 'failed', retryable: false };
    return { kind: 'disconnected', retryable: readOnly, code: err.code };
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'number') return { kind: 'failed', retryable: false };
  if (code === ObsRequestStatus.OutputRunning && type === 'StartStream')
    return { kind: 'already-so', retryable: false, code };
  if (code === ObsRequestStatus.OutputNotRunning && type === 'StopStream')
    return { kind: 'already-so', retryable: false, code };
  if (code === ObsRequestStatus.NotReady) return { kind: 'not-ready', retryable: true, code };
  if (code === ObsRequestStatus.OutputRunning) return { kind: 'output-busy', retryable: false, code };
  if (
    code >= ObsRequestStatus.MissingRequestType &&
    code < ObsRequestStatus.OutputRunning &&
    code !== ObsRequestStatus.GenericError
  ) {
    return { kind: 'invalid-request', retryable: false, code };
  }
  return { kind: 'failed', retryable: false, code };
}

/** obs-websocket-js rejects with OBSWebSocketError(code, comment) for a failed request, plain Error when unidentified. */
export function toRequestError(requestType: string, err: unknown): ObsClientError {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'number' && code >= 100) return ObsClientError.request(requestType, code, messageOf(err), err);
  return ObsClientError.notConnected(requestType, err);
}

/** ConnectionClosed carries OBSWebSocketError(code, reason); an error event carries code -1. */
export function closeCodeOf(e: unknown): number {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= 1000 ? code : ObsCloseCode.Abnormal;
}

export function messageOf(e: unknown): string {
  const m = (e as { message?: unknown } | null)?.message;
  return typeof m === 'string' ? m : '';
}
