/**
 * The one error shape the dock shows: `{ code, message, requestId?, retryable }`, the same as the helper's
 * ApiErrorBody, plus client-side codes for what happens before the helper answers.
 */
export interface DockError {
  code: string;
  message: string;
  requestId?: string;
  retryable: boolean;
  /** HTTP status when the helper answered */
  status?: number;
  /** the request field that was wrong, for input errors */
  field?: string;
}

/** Codes raised in the dock itself (the helper's and the cloud's codes pass through unchanged). */
export const ClientCode = {
  /** fetch failed: the helper is not running (yet), or the port is blocked */
  HelperUnreachable: 'HelperUnreachable',
  /** no answer before the deadline */
  Timeout: 'Timeout',
  /** the answer did not match the route's schema (helper and dock versions differ?) */
  BadResponse: 'BadResponse',
  /** the request body failed the route's schema before it was sent */
  InvalidRequest: 'InvalidRequest',
  /** no token, or the helper refused it */
  Unauthorized: 'Unauthorized',
} as const;

export class ApiCallError extends Error implements DockError {
  override name = 'ApiCallError';
  readonly code: string;
  readonly retryable: boolean;
  readonly requestId?: string;
  readonly status?: number;
  readonly field?: string;

  constructor(e: DockError, options?: { cause?: unknown }) {
    super(e.message, options);
    this.code = e.code;
    this.retryable = e.retryable;
    if (e.requestId !== undefined) this.requestId = e.requestId;
    if (e.status !== undefined) this.status = e.status;
    if (e.field !== undefined) this.field = e.field;
  }

  static unreachable(cause: unknown): ApiCallError {
    return new ApiCallError(
      { code: ClientCode.HelperUnreachable, message: 'The artc-ingest helper is not answering', retryable: true },
      { cause },
    );
  }

  static timeout(ms: number): ApiCallError {
    return new ApiCallError({
      code: ClientCode.Timeout,
      message: `No answer from the helper within ${ms} ms`,
      retryable: true,
    });
  }
}

/** Any thrown value as a plain DockError (for the status panel and the action log). */
export function toDockError(err: unknown): DockError {
  if (err && typeof err === 'object' && 'code' in err && 'message' in err) {
    const e = err as Partial<DockError> & { code: unknown; message: unknown };
    const out: DockError = { code: String(e.code), message: String(e.message), retryable: Boolean(e.retryable) };
    if (typeof e.requestId === 'string') out.requestId = e.requestId;
    if (typeof e.status === 'number') out.status = e.status;
    if (typeof e.field === 'string') out.field = e.field;
    return out;
  }
  return { code: 'Error', message: err instanceof Error ? err.message : String(err), retryable: false };
}
