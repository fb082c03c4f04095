/**
 * The helper API's error shape and JSON responses. Every failure becomes `{ code, message, retryable }`
 * (+ `requestId` from the cloud, + `field` for input errors) with a 4xx/5xx status. Middleware throws
 * `HttpError`; the handler renders it once.
 */
import type { ApiErrorBody } from '../../shared/api-routes.js';
import { SECURITY_HEADERS } from './security-headers.js';

export interface HttpErrorInit {
  status: number;
  code: string;
  message: string;
  retryable?: boolean;
  requestId?: string | undefined;
  field?: string | undefined;
  headers?: Record<string, string>;
}

export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly code: string;
  readonly retryable: boolean;
  readonly requestId: string | undefined;
  readonly field: string | undefined;
  readonly headers: Record<string, string>;

  constructor(init: HttpErrorInit) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.retryable = init.retryable ?? false;
    this.requestId = init.requestId;
    this.field = init.field;
    this.headers = init.headers ?? {};
  }

  toBody(): ApiErrorBody {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.requestId ? { requestId: this.requestId } : {}),
      ...(this.field ? { field: this.field } : {}),
    };
  }

  static notFound(what = 'No such route'): HttpError {
    return new HttpError({ status: 404, code: 'NotFound', message: what });
  }

  static methodNotAllowed(allow: string[]): HttpError {
    return new HttpError({
      status: 405,
      code: 'MethodNotAllowed',
      message: `Allowed: ${allow.join(', ')}`,
      headers: { allow: allow.join(', ') },
    });
  }

  static forbidden(code: string, message: string): HttpError {
    return new HttpError({ status: 403, code, message });
  }
}

/** A JSON response that no cache keeps (API answers may hold a stream key or the OBS password). */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      ...SECURITY_HEADERS,
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    },
  });
}

export function errorResponse(e: HttpError): Response {
  return json(e.status, e.toBody(), e.headers);
}
