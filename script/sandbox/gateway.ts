/**
 * The POP gateway's front door. A request without an Authorization header goes to the classic RPC
 * signature (gateway-rpc.ts); V3 (ACS3-HMAC-SHA256) RPC calls are checked here, in the order a gateway checks:
 * action and version, method, Authorization, the x-acs-* headers, AccessKey, date skew, body hash,
 * signature, STS token, and last the nonce (only a request that proved its key can use a nonce up).
 * The signature is recomputed from what was received: the raw query string decoded, the headers the
 * client says it signed (Host from the URL when a direct call carries none) and the body hash.
 */
import { timingSafeEqual } from 'node:crypto';
import { API_VERSION } from '../../shared/cloud-schemas.js';
import { ALGORITHM, canonicalRequest, parseAuthorization, sha256Hex, signature } from '../cloud/sign-v3.js';
import { acs, type AcsError } from './acs-errors.js';
import type { NonceStore } from './nonce-store.js';
import { looksRpc, rpcParams, verifyRpc } from './gateway-rpc.js';

/** x-acs-date may differ from the gateway's clock by at most 15 min (InvalidTimeStamp.Expired). */
export const MAX_SKEW_MS = 15 * 60_000;

export interface GatewayKey {
  accessKeyId: string;
  accessKeySecret: string;
  /** an STS key: every request must carry this x-acs-security-token (or SecurityToken, RPC) */
  securityToken?: string | undefined;
  /** an STS key from AssumeRole stops working at this time (ms, gateway clock) */
  expiresAt?: number | undefined;
}

export interface ActionSpec {
  method: 'GET' | 'POST';
}

export interface GatewayContext {
  keys: ReadonlyMap<string, GatewayKey>;
  actions: Readonly<Record<string, ActionSpec>>;
  nonces: NonceStore;
  now: number;
  /** the API version the actions belong to (default the Live API's) */
  version?: string;
}

export interface VerifiedCall {
  accessKeyId: string;
  action: string;
  query: Record<string, string>;
}

/** Headers that must be signed: the doc's canonical set; any other x-acs-* header present must be too. */
const REQUIRED_SIGNED = [
  'host',
  'x-acs-action',
  'x-acs-version',
  'x-acs-date',
  'x-acs-signature-nonce',
  'x-acs-content-sha256',
];
const ACS_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The action named by a request, if the gateway knows it (used to count calls before verifying). */
export function actionOf(
  req: Request,
  actions: Readonly<Record<string, ActionSpec>>,
  body?: Uint8Array,
): string | undefined {
  let action = req.headers.get('x-acs-action') ?? '';
  if (!action) {
    const params = body ? rpcParams(req, body) : parseQuery(new URL(req.url).search);
    action = typeof params === 'string' ? '' : (params.Action ?? '');
  }
  return Object.hasOwn(actions, action) ? action : undefined;
}

/** V3 (Authorization header) or the classic RPC signature (Signature parameter), as the cloud accepts both. */
export function verifyRequest(req: Request, body: Uint8Array, ctx: GatewayContext): VerifiedCall | AcsError {
  if (!req.headers.get('authorization')) {
    const params = rpcParams(req, body);
    if (typeof params === 'string') return acs.inputInvalid(params);
    if (looksRpc(req, params) || !req.headers.get('x-acs-action'))
      return verifyRpc(req, params, { ...ctx, version: ctx.version ?? API_VERSION });
  }
  return verifyV3(req, body, ctx);
}

function verifyV3(req: Request, body: Uint8Array, ctx: GatewayContext): VerifiedCall | AcsError {
  const url = new URL(req.url);
  const action = req.headers.get('x-acs-action');
  if (!action) return acs.missingParameter('Action');
  const spec = Object.hasOwn(ctx.actions, action) ? ctx.actions[action] : undefined;
  if (!spec || url.pathname !== '/') return acs.invalidAction();
  const version = req.headers.get('x-acs-version');
  if (!version) return acs.missingParameter('Version');
  if (version !== (ctx.version ?? API_VERSION)) return acs.invalidVersion();
  if (req.method !== spec.method) return acs.unsupportedMethod(req.method);

  const rawAuth = req.headers.get('authorization');
  if (!rawAuth) return acs.incompleteSignature('The Authorization header is missing.');
  const auth = parseAuthorization(rawAuth);
  if (!auth)
    return acs.incompleteSignature(
      `Authorization must be "${ALGORITHM} Credential=...,SignedHeaders=...,Signature=<64 hex>".`,
    );
  for (const name of ['x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256']) {
    if (!req.headers.get(name)) return acs.missingParameter(name);
  }
  const unsigned = unsignedHeaders(req, auth.signedHeaders);
  if (unsigned.length) return acs.incompleteSignature(`These headers must be signed: ${unsigned.join(', ')}.`);

  const key = ctx.keys.get(auth.accessKeyId);
  if (!key) return acs.accessKeyNotFound();

  const date = req.headers.get('x-acs-date')!;
  const dateMs = ACS_DATE.test(date) ? Date.parse(date) : NaN;
  if (!Number.isFinite(dateMs)) return acs.timestampFormat();
  if (Math.abs(dateMs - ctx.now) > MAX_SKEW_MS) return acs.timestampExpired();

  const query = parseQuery(url.search);
  if (typeof query === 'string') return acs.inputInvalid(query);
  const payloadHash = req.headers.get('x-acs-content-sha256')!;
  if (sha256Hex(body) !== payloadHash) return acs.contentHashMismatch();

  const signedValues: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = name === 'host' ? (req.headers.get('host') ?? url.host) : req.headers.get(name);
    if (value === null) return acs.incompleteSignature(`Signed header "${name}" is missing from the request.`);
    signedValues[name] = value;
  }
  const { text } = canonicalRequest({
    method: req.method,
    path: url.pathname,
    query,
    headers: signedValues,
    payloadHash,
  });
  const expected = signature(key.accessKeySecret, text);
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature))) {
    return acs.signatureMismatch(`${ALGORITHM}\n${sha256Hex(text)}`);
  }

  const tokenError = checkToken(key, req.headers.get('x-acs-security-token'), ctx.now);
  if (tokenError) return tokenError;

  const nonce = req.headers.get('x-acs-signature-nonce')!;
  if (!ctx.nonces.claim(nonce, ctx.now)) return acs.nonceUsed();
  return { accessKeyId: key.accessKeyId, action, query };
}

/** The STS part: a token key needs its own token, and an AssumeRole key stops at its Expiration. */
export function checkToken(key: GatewayKey, token: string | null, now: number): AcsError | undefined {
  if (key.securityToken !== undefined && token === null) return acs.tokenMissing();
  if (token !== null && !sameString(token, key.securityToken ?? '')) return acs.tokenMismatch();
  if (key.expiresAt !== undefined && now >= key.expiresAt) return acs.tokenExpired();
  return undefined;
}

function unsignedHeaders(req: Request, signed: readonly string[]): string[] {
  const present = new Set<string>(REQUIRED_SIGNED);
  req.headers.forEach((_value, name) => {
    if (name.startsWith('x-acs-')) present.add(name);
  });
  return [...present].filter((name) => !signed.includes(name)).sort();
}

/**
 * The raw query string, split on `&` and the first `=`, each side percent-decoded (RFC 3986: `+` is a
 * literal plus, as the V3 signer encodes a space as %20). A repeated name is refused rather than guessed.
 * Returns the parameters or a message for InputInvalid.
 */
export function parseQuery(search: string): Record<string, string> | string {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const part of search.replace(/^\?/, '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    } catch {
      return 'The query string is not valid percent-encoded UTF-8';
    }
    if (Object.hasOwn(out, name)) return `Parameter ${name} is given more than once`;
    out[name] = value;
  }
  return out;
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
