/**
 * The error family of the cloud client. Every error is classified once, here, and the retry decision
 * follows from the class: throttling (by Code prefix, whatever the status), server (5xx), network and
 * timeout are retryable; input, auth and signature errors never are.
 */
export type ApiErrorKind =
  'throttling' | 'server' | 'network' | 'timeout' | 'input' | 'auth' | 'signature' | 'response';

export interface ApiErrorInit {
  kind: ApiErrorKind;
  message: string;
  code?: string | undefined;
  requestId?: string | undefined;
  status?: number | undefined;
  retryAfterMs?: number | undefined;
  action?: string | undefined;
  /** which credentials the cloud refused ("StsToken via environment (...)"), for auth and signature errors */
  credentials?: string | undefined;
  cause?: unknown;
}

export class ApiError extends Error {
  override name = 'ApiError';
  readonly kind: ApiErrorKind;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly action: string | undefined;
  readonly credentials: string | undefined;

  constructor(init: ApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.code = init.code ?? init.kind;
    this.requestId = init.requestId;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.action = init.action;
    this.credentials = init.credentials;
  }

  get retryable(): boolean {
    return this.kind === 'throttling' || this.kind === 'server' || this.kind === 'network' || this.kind === 'timeout';
  }

  /** `Throttling.User: Request was denied due to user flow control. (RequestId: ..., HTTP 400)` */
  describe(): string {
    const extra = [
      this.credentials && `credentials: ${this.credentials}`,
      this.requestId && `RequestId: ${this.requestId}`,
      this.status && `HTTP ${this.status}`,
    ]
      .filter(Boolean)
      .join(', ');
    return `${this.code}: ${this.message}${extra ? ` (${extra})` : ''}`;
  }

  toJSON() {
    return {
      code: this.code,
      message: this.message,
      requestId: this.requestId,
      status: this.status,
      retryable: this.retryable,
    };
  }

  static timeout(action: string, ms: number): ApiError {
    return new ApiError({
      kind: 'timeout',
      code: 'RequestTimeout',
      message: `${action} got no answer within ${ms} ms`,
      action,
    });
  }

  static network(action: string, cause: unknown): ApiError {
    const why = cause instanceof Error ? cause.message : String(cause);
    return new ApiError({
      kind: 'network',
      code: 'NetworkError',
      message: `${action} could not reach the endpoint: ${why}`,
      action,
      cause,
    });
  }
}

const SIGNATURE_CODES = new Set([
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'SignatureNonceUsed',
  'InvalidTimeStamp.Expired',
  'InvalidTimeStamp.Format',
]);

/** Classifies a cloud error body by Code first (throttling codes come with 400 or 403), then by status. */
export function classify(status: number, code: string): ApiErrorKind {
  if (code.startsWith('Throttling')) return 'throttling';
  if (SIGNATURE_CODES.has(code)) return 'signature';
  if (status >= 500) return 'server';
  if (
    status === 401 ||
    status === 403 ||
    code.startsWith('InvalidAccessKeyId') ||
    code.startsWith('Forbidden') ||
    code === 'NoAuth' ||
    code.startsWith('InvalidSecurityToken')
  )
    return 'auth';
  return 'input';
}

/** Removes every occurrence of the given secrets from a string, for messages that quote remote text. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}
