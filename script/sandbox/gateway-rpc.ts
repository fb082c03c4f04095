/**
 * The POP gateway's front door for the classic RPC signature (HMAC-SHA1, SignatureVersion 1.0), which
 * @alicloud/pop-core, openapi-client with signatureAlgorithm v2 and the STS calls of @alicloud/credentials
 * send. Parameters come in the query, or in an application/x-www-form-urlencoded body (POST), or both.
 *   StringToSign = METHOD & %2F & percentEncode(sorted k=v joined with &)   (every parameter but Signature)
 *   Signature    = base64(hmac-sha1(secret + "&", StringToSign))
 * Checked in the gateway's order: action and version, method, the signature parameters, AccessKey,
 * timestamp, signature, STS token, nonce. Where alibaba-api.md names no code for a case, the code is the
 * one the cloud's common error list uses and marked "unconfirmed" in acs-errors.ts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { percentEncode } from '../cloud/sign-v3.js';
import { acs, type AcsError } from './acs-errors.js';
import { MAX_SKEW_MS, checkToken, parseQuery, type GatewayContext, type VerifiedCall } from './gateway.js';

/** The parameters every RPC-signed request carries besides the operation's own. */
export const RPC_COMMON = [
  'Action',
  'Version',
  'Format',
  'AccessKeyId',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'SignatureType',
  'Timestamp',
  'Signature',
  'SecurityToken',
  'RegionId',
];
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** base64(hmac-sha1(secret&, METHOD&%2F&encoded canonical query)), and the string it signed. */
export function rpcSignature(
  method: string,
  params: Readonly<Record<string, string>>,
  secret: string,
): { signature: string; stringToSign: string } {
  const canonical = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
  const stringToSign = `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonical)}`;
  return { signature: createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64'), stringToSign };
}

/**
 * Query and form body merged. A form body is decoded as HTML forms are (`+` is a space), the query as
 * RFC 3986 (parseQuery). A name given twice, or in both, is refused rather than guessed.
 */
export function rpcParams(req: Request, body: Uint8Array): Record<string, string> | string {
  const query = parseQuery(new URL(req.url).search);
  if (typeof query === 'string') return query;
  const type = req.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded') || body.length === 0) return query;
  const form = parseQuery(Buffer.from(body).toString('utf8').replace(/\+/g, '%20'));
  if (typeof form === 'string') return `Form body: ${form}`;
  for (const [k, v] of Object.entries(form)) {
    if (Object.hasOwn(query, k)) return `Parameter ${k} is given more than once`;
    query[k] = v;
  }
  return query;
}

/** True when the request is RPC-signed (no V3 Authorization header, a Signature or SignatureMethod parameter). */
export function looksRpc(req: Request, params: Readonly<Record<string, string>>): boolean {
  if (req.headers.get('authorization')) return false;
  return (
    Object.hasOwn(params, 'Signature') ||
    Object.hasOwn(params, 'SignatureMethod') ||
    Object.hasOwn(params, 'SignatureVersion')
  );
}

function checkCommon(p: Readonly<Record<string, string>>): AcsError | undefined {
  if (p.SignatureMethod === undefined) return acs.missingSignatureParam('SignatureMethod');
  if (p.SignatureMethod !== 'HMAC-SHA1') return acs.invalidSignatureMethod(p.SignatureMethod);
  if (p.SignatureVersion === undefined) return acs.missingSignatureParam('SignatureVersion');
  if (p.SignatureVersion !== '1.0') return acs.invalidSignatureVersion(p.SignatureVersion);
  if (p.Signature === undefined) return acs.missingSignature();
  if (p.SignatureNonce === undefined || p.SignatureNonce === '') return acs.missingSignatureParam('SignatureNonce');
  if (p.Timestamp === undefined) return acs.missingSignatureParam('Timestamp');
  if (p.AccessKeyId === undefined) return acs.missingSignatureParam('AccessKeyId');
  return undefined;
}

export function verifyRpc(
  req: Request,
  params: Record<string, string>,
  ctx: GatewayContext & { version: string },
): VerifiedCall | AcsError {
  const action = params.Action;
  if (!action) return acs.missingParameter('Action');
  const spec = Object.hasOwn(ctx.actions, action) ? ctx.actions[action] : undefined;
  if (!spec || new URL(req.url).pathname !== '/') return acs.invalidAction();
  if (!params.Version) return acs.missingParameter('Version');
  if (params.Version !== ctx.version) return acs.invalidVersion();
  if (req.method !== spec.method) return acs.unsupportedMethod(req.method);
  const common = checkCommon(params);
  if (common) return common;

  const key = ctx.keys.get(params.AccessKeyId!);
  if (!key) return acs.accessKeyNotFound();
  const ts = params.Timestamp!;
  const tsMs = TIMESTAMP.test(ts) ? Date.parse(ts) : NaN;
  if (!Number.isFinite(tsMs)) return acs.timestampFormat();
  if (Math.abs(tsMs - ctx.now) > MAX_SKEW_MS) return acs.timestampExpired();

  const { signature, stringToSign } = rpcSignature(req.method, params, key.accessKeySecret);
  const got = Buffer.from(params.Signature!);
  const want = Buffer.from(signature);
  if (got.length !== want.length || !timingSafeEqual(got, want)) return acs.signatureMismatch(stringToSign);

  const token = checkToken(key, params.SecurityToken ?? null, ctx.now);
  if (token) return token;
  if (!ctx.nonces.claim(params.SignatureNonce!, ctx.now)) return acs.nonceUsed();
  const query: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(params)) if (!RPC_COMMON.includes(k)) query[k] = v;
  return { accessKeyId: key.accessKeyId, action, query };
}
