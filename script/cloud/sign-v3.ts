/**
 * Alibaba Cloud signature V3 (ACS3-HMAC-SHA256), as pure functions: the timestamp and the nonce are
 * parameters, so a signed request can be pinned byte for byte in tests (published vector, and a
 * randomized cross-check against the official `@alicloud/openapi-util`).
 *
 * CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HexPayloadHash
 * StringToSign     = "ACS3-HMAC-SHA256\n" + hex(sha256(CanonicalRequest))
 * Signature        = hex(hmac-sha256(secret, StringToSign))
 */
import { createHash, createHmac } from 'node:crypto';

export const ALGORITHM = 'ACS3-HMAC-SHA256';

/** RFC 3986: encodeURIComponent plus `!'()*`; space is %20 and `~` stays literal (as openapi-util does). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Sorted by name (code unit order, as the official signer); `k=v` joined with `&`. */
export function canonicalQuery(query: Readonly<Record<string, string>>): string {
  return Object.keys(query)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(query[k]!)}`)
    .join('&');
}

/** `host`, `content-type` and every `x-acs-*`, lowercased, trimmed, sorted. */
export function canonicalHeaders(headers: Readonly<Record<string, string>>): { canonical: string; signed: string } {
  const picked = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === 'content-type' || lower.startsWith('x-acs-')) {
      picked.set(lower, [...(picked.get(lower) ?? []), value.trim()]);
    }
  }
  const names = [...picked.keys()].sort();
  const canonical = names.map((n) => `${n}:${picked.get(n)!.sort().join(',')}\n`).join('');
  return { canonical, signed: names.join(';') };
}

export interface CanonicalInput {
  method: string;
  path?: string;
  query: Readonly<Record<string, string>>;
  headers: Readonly<Record<string, string>>;
  /** hex sha256 of the body, as sent in x-acs-content-sha256 */
  payloadHash: string;
}

export function canonicalRequest(input: CanonicalInput): { text: string; signedHeaders: string } {
  const { canonical, signed } = canonicalHeaders(input.headers);
  const text = [
    input.method.toUpperCase(),
    input.path ?? '/',
    canonicalQuery(input.query),
    canonical,
    signed,
    input.payloadHash,
  ].join('\n');
  return { text, signedHeaders: signed };
}

export function signature(secret: string, canonicalRequestText: string): string {
  const stringToSign = `${ALGORITHM}\n${sha256Hex(canonicalRequestText)}`;
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string | undefined;
}

export interface SignRequestInput {
  method: 'GET' | 'POST';
  host: string;
  action: string;
  version: string;
  query: Readonly<Record<string, string>>;
  body?: string;
  /** x-acs-date, UTC `yyyy-MM-ddTHH:mm:ssZ` (see formatAcsDate) */
  date: string;
  nonce: string;
  credentials: Credentials;
}

export interface SignedRequest {
  method: 'GET' | 'POST';
  /** path + canonical query, e.g. `/?AppId=...` */
  pathAndQuery: string;
  headers: Record<string, string>;
  body: string;
}

/** Builds every header of a V3 request and its Authorization. Pure: same input, same bytes. */
export function signRequest(input: SignRequestInput): SignedRequest {
  const body = input.body ?? '';
  const payloadHash = sha256Hex(body);
  const headers: Record<string, string> = {
    host: input.host,
    'x-acs-action': input.action,
    'x-acs-version': input.version,
    'x-acs-date': input.date,
    'x-acs-signature-nonce': input.nonce,
    'x-acs-content-sha256': payloadHash,
  };
  if (input.credentials.securityToken) headers['x-acs-security-token'] = input.credentials.securityToken;
  const { text, signedHeaders } = canonicalRequest({ method: input.method, query: input.query, headers, payloadHash });
  const sig = signature(input.credentials.accessKeySecret, text);
  headers.authorization = `${ALGORITHM} Credential=${input.credentials.accessKeyId},SignedHeaders=${signedHeaders},Signature=${sig}`;
  const q = canonicalQuery(input.query);
  return { method: input.method, pathAndQuery: q ? `/?${q}` : '/', headers, body };
}

/** `2023-10-26T10:22:32Z`: ISO 8601 without milliseconds, as the gateway expects. */
export function formatAcsDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface ParsedAuthorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`; null when malformed. */
export function parseAuthorization(value: string | null | undefined): ParsedAuthorization | null {
  const m = /^ACS3-HMAC-SHA256 Credential=([^,\s]+),SignedHeaders=([^,\s]+),Signature=([0-9a-f]{64})$/.exec(
    value ?? '',
  );
  if (!m) return null;
  return { accessKeyId: m[1]!, signedHeaders: m[2]!.split(';'), signature: m[3]! };
}
