/** The client's own failures: the credential provider failed, the cloud refused the token, an answer did not parse. */
import { ApiError, redact } from './errors.js';
import { CredentialsError } from './credentials.js';

/** The code of an ApiError that says the credential provider failed (never the cloud's answer). */
export const CREDENTIALS_UNAVAILABLE = 'CredentialsUnavailable';

/**
 * The cloud refused the security token itself (expired, revoked, malformed): new credentials may fix it.
 * InvalidAccessKeyId.* is not retried this way: the chain would answer the same key a second later, and
 * the supervisor reports it as needing the user (a key that was deleted or disabled in RAM).
 */
export function isTokenRefused(e: ApiError): boolean {
  return e.code.startsWith('InvalidSecurityToken');
}

/** Retryable: the supervisor keeps the stream up and tries again with backoff (STS may be back by then). */
export function credentialsFailed(action: string, e: unknown, secrets: string[]): ApiError {
  const why = redact(e instanceof Error ? e.message : String(e), secrets);
  const message = e instanceof CredentialsError ? why : `getting credentials failed: ${why}`;
  // no `cause`: the library's own error is not redacted
  return new ApiError({ kind: 'network', code: CREDENTIALS_UNAVAILABLE, message: `${action}: ${message}`, action });
}

export function badResponse(action: string, why: string, body: unknown): ApiError {
  const requestId =
    typeof body === 'object' && body && 'RequestId' in body
      ? String((body as { RequestId: unknown }).RequestId)
      : undefined;
  return new ApiError({
    kind: 'response',
    code: 'UnexpectedResponse',
    message: `${action} returned an unexpected response: ${why}`,
    requestId,
  });
}
