/**
 * The gateway's error catalog and response builders. Codes, statuses and messages are the ones Alibaba
 * Cloud's POP gateway returns (alibaba-api.md "Errors"); where the reference leaves a case open the choice
 * is marked "unconfirmed". Body: {"RequestId","HostId","Code","Message","Recommend"}.
 */
export const HOST_ID = 'live.aliyuncs.com';

export interface AcsError {
  status: number;
  code: string;
  message: string;
  /** sent as `x-acs-retry-after` (ms) */
  retryAfterMs?: number;
}

const err = (status: number, code: string, message: string): AcsError => ({ status, code, message });

export const acs = {
  missingParameter: (name: string) =>
    err(
      400,
      'MissingParameter',
      `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
    ),
  invalidAction: () =>
    err(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.'),
  invalidVersion: () => err(400, 'InvalidVersion', 'Specified parameter Version is not valid.'),
  // unconfirmed: the doc names one method per operation; the sandbox refuses the other so client bugs show
  unsupportedMethod: (method: string) =>
    err(400, 'UnsupportedHTTPMethod', `This http method (${method}) is not supported for this action.`),
  incompleteSignature: (why: string) =>
    err(400, 'IncompleteSignature', `The request signature does not conform to Aliyun standards. ${why}`),
  accessKeyNotFound: () => err(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.'),
  timestampFormat: () =>
    err(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.'),
  timestampExpired: () => err(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.'),
  signatureMismatch: (stringToSign: string) =>
    err(
      400,
      'SignatureDoesNotMatch',
      `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`,
    ),
  // unconfirmed code: the body hash is part of what is signed, so report it as a signature error
  contentHashMismatch: () =>
    err(400, 'SignatureDoesNotMatch', 'The x-acs-content-sha256 header does not match the sha256 of the request body.'),
  nonceUsed: () => err(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.'),
  tokenMismatch: () =>
    err(400, 'InvalidSecurityToken.MismatchWithAccessKey', 'Specified SecurityToken mismatch with the AccessKey.'),
  tokenMissing: () => err(400, 'InvalidSecurityToken.Malformed', 'Specified SecurityToken is malformed or missing.'),
  tokenExpired: () => err(400, 'InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.'),
  // classic RPC signature (HMAC-SHA1): the cloud's common error list; unconfirmed against live.aliyuncs.com
  missingSignature: () => err(400, 'MissingSignature', 'Signature is mandatory for this action.'),
  missingSignatureParam: (name: string) => err(400, `Missing${name}`, `${name} is mandatory for this action.`),
  invalidSignatureMethod: (got: string) =>
    err(
      400,
      'InvalidSignatureMethod',
      `Specified signature method ${JSON.stringify(got)} is not valid (HMAC-SHA1 is).`,
    ),
  invalidSignatureVersion: (got: string) =>
    err(400, 'InvalidSignatureVersion', `Specified signature version ${JSON.stringify(got)} is not valid (1.0 is).`),
  throttled: (retryAfterMs: number) => ({
    ...err(400, 'Throttling.User', 'Request was denied due to user flow control.'),
    retryAfterMs,
  }),
  inputInvalid: (what: string) => err(400, 'InputInvalid', what.endsWith('.') ? what : `${what}.`),
  internal: () => err(500, 'InternalError', 'The request processing has failed due to some unknown error.'),
};

/** `F8DB7E25-6A35-161A-AA41-B7A658AF0123` from 16 random bytes. */
export function formatRequestId(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.subarray(0, 16)).toString('hex').toUpperCase().padEnd(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function headers(requestId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': requestId, ...extra };
}

export function errorResponse(e: AcsError, requestId: string): Response {
  const body = {
    RequestId: requestId,
    HostId: HOST_ID,
    Code: e.code,
    Message: e.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(e.code)}&product=live&requestId=${requestId}`,
  };
  const extra: Record<string, string> =
    e.retryAfterMs !== undefined ? { 'x-acs-retry-after': String(Math.max(1, Math.ceil(e.retryAfterMs))) } : {};
  return new Response(JSON.stringify(body), { status: e.status, headers: headers(requestId, extra) });
}

export function okResponse(body: Record<string, unknown>, requestId: string): Response {
  return new Response(JSON.stringify({ RequestId: requestId, ...body }), { status: 200, headers: headers(requestId) });
}

export function isAcsError(v: unknown): v is AcsError {
  return typeof v === 'object' && v !== null && 'code' in v && 'status' in v && 'message' in v;
}
