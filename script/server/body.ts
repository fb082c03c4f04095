/**
 * Request bodies: JSON only (415 otherwise), at most MAX_BODY_BYTES (413: checked against Content-Length
 * first, then counted while reading, so a lying or chunked client is cut off without buffering more than
 * the cap), UTF-8, then parsed by the route's zod schema (400 naming the first bad field).
 */
import type * as z from 'zod/mini';
import { MAX_BODY_BYTES } from '../../shared/api-routes.js';
import { formatIssues } from '../../shared/cloud-schemas.js';
import { HttpError } from './http-error.js';

const bad = (code: string, message: string, field?: string) => new HttpError({ status: 400, code, message, field });

function tooLarge(max: number): HttpError {
  return new HttpError({ status: 413, code: 'BodyTooLarge', message: `Request body is larger than ${max} bytes` });
}

export function checkJsonContentType(req: Request): void {
  const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError({
      status: 415,
      code: 'UnsupportedMediaType',
      message: 'Content-Type must be application/json',
    });
  }
}

/** Reads at most `max` bytes; throws 413 as soon as the stream goes over, cancelling the rest. */
export async function readCapped(req: Request, max: number = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = req.headers.get('content-length');
  if (declared !== null) {
    if (!/^\d+$/.test(declared)) throw bad('InvalidContentLength', 'Content-Length is not a number');
    if (Number(declared) > max) throw tooLarge(max);
  }
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** `presets.0.channel.appId` for a nested issue; undefined when the body as a whole is wrong. */
export function issueField(error: { issues: ReadonlyArray<{ path: PropertyKey[] }> }): string | undefined {
  const path = error.issues[0]?.path ?? [];
  return path.length ? path.map(String).join('.') : undefined;
}

export function parseWith<T>(schema: z.ZodMiniType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw bad('InputInvalid', formatIssues(r.error), issueField(r.error));
  return r.data;
}

export async function readJsonBody<T>(
  req: Request,
  schema: z.ZodMiniType<T>,
  max: number = MAX_BODY_BYTES,
): Promise<T> {
  checkJsonContentType(req);
  const bytes = await readCapped(req, max);
  if (bytes.byteLength === 0) throw bad('BodyRequired', 'A JSON request body is required');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw bad('InvalidJson', 'Request body is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad('InvalidJson', 'Request body is not valid JSON');
  }
  return parseWith(schema, value);
}
