/**
 * The per-install API token check. Compared in constant time over SHA-256 digests, so neither the content
 * nor the length of the expected token leaks through timing. The token is never logged or echoed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { TOKEN_HEADER } from '../../shared/api-routes.js';
import { HttpError } from './http-error.js';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function tokensEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected)) && expected.length > 0;
}

export function checkToken(req: Request, expected: string): void {
  const given = req.headers.get(TOKEN_HEADER);
  if (!given)
    throw new HttpError({
      status: 401,
      code: 'TokenRequired',
      message: `Missing ${TOKEN_HEADER} header: open the dock from the URL \`artc-ingest serve\` printed`,
    });
  if (!tokensEqual(given, expected))
    throw new HttpError({
      status: 401,
      code: 'TokenInvalid',
      message: `Wrong ${TOKEN_HEADER}: open the dock from the URL \`artc-ingest serve\` printed`,
    });
}
