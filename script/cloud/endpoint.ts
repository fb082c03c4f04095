/** The cloud endpoint a client talks to: https, or plain http for a local sandbox only. */
import { ApiError } from './errors.js';

export function parseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint.includes('://') ? endpoint : `https://${endpoint}`);
  } catch {
    throw new ApiError({ kind: 'input', code: 'InvalidEndpoint', message: `endpoint: not a URL: ${endpoint}` });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ApiError({
      kind: 'input',
      code: 'InvalidEndpoint',
      message: `endpoint: must be http(s), got ${url.protocol}`,
    });
  }
  if (url.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    // plain HTTP would send signed requests (and STS tokens) in clear text over the network
    throw new ApiError({
      kind: 'input',
      code: 'InvalidEndpoint',
      message: 'endpoint: http:// is allowed only for 127.0.0.1 / localhost (a local sandbox)',
    });
  }
  return new URL(url.origin);
}
