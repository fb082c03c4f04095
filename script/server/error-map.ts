/**
 * Maps anything a route throws to the API's error shape, once. Cloud errors keep the cloud's Code, message
 * and RequestId (what a support ticket needs): throttling -> 429 (retryable), input -> 400 (with the field
 * when we can tell which), everything else the cloud or the network did -> 502. Unknown errors -> 500 with a
 * generic message (details go to the helper's log only). Every message is redacted of the known secrets.
 */
import { ApiError, redact } from '../cloud/errors.js';
import { HttpError } from './http-error.js';

/** The cloud's PascalCase parameter -> the dock's camelCase field. */
const FIELDS: ReadonlyArray<[string, string]> = [
  ['AppId', 'appId'],
  ['ChannelId', 'channelId'],
  ['UserId', 'userId'],
  ['DisplayName', 'displayName'],
  ['ExpireTime', 'expireTime'],
];

/** `InvalidChannelId.Malformed` or `ChannelId: ChannelId is required` -> `channelId`. */
export function guessField(code: string, message: string): string | undefined {
  for (const text of [code, message]) {
    for (const [pascal, camel] of FIELDS) if (text.includes(pascal)) return camel;
  }
  return undefined;
}

export function fromApiError(e: ApiError, secrets: ReadonlyArray<string | undefined>): HttpError {
  const message = redact(e.message, secrets);
  const base = { code: e.code, message, requestId: e.requestId };
  if (e.kind === 'throttling') {
    const headers: Record<string, string> = e.retryAfterMs
      ? { 'retry-after': String(Math.ceil(e.retryAfterMs / 1000)) }
      : {};
    return new HttpError({ ...base, status: 429, retryable: true, headers });
  }
  if (e.kind === 'input')
    return new HttpError({ ...base, status: 400, retryable: false, field: guessField(e.code, e.message) });
  return new HttpError({ ...base, status: 502, retryable: e.retryable });
}

export function toHttpError(
  e: unknown,
  secrets: ReadonlyArray<string | undefined>,
  log?: (line: string) => void,
): HttpError {
  if (e instanceof HttpError) {
    const message = redact(e.message, secrets);
    if (message === e.message) return e;
    return new HttpError({
      status: e.status,
      code: e.code,
      message,
      retryable: e.retryable,
      requestId: e.requestId,
      field: e.field,
      headers: e.headers,
    });
  }
  if (e instanceof ApiError) return fromApiError(e, secrets);
  log?.(`internal error: ${redact(e instanceof Error ? (e.stack ?? e.message) : String(e), secrets)}`);
  return new HttpError({
    status: 500,
    code: 'InternalError',
    message: 'Internal error in the helper (details in its log)',
    retryable: false,
  });
}
