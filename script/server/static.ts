/**
 * Serves the built dock (dist/dock) read-only: `index.html` at `/`, files by exact path, nothing outside the
 * root (each URL segment is decoded and checked, then the real path must still be inside the real root, so
 * `..`, `%2e%2e`, `%2f`, backslashes and symlinks out all fail). Hashed build assets are immutable; the page
 * itself is `no-cache` so a new build is picked up on the next dock reload.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { HttpError } from './http-error.js';
import { SECURITY_HEADERS } from './security-headers.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** Vite names build assets `assets/<name>-<hash>.<ext>` (hash: 8 base64url characters). */
export function isHashedAsset(segments: readonly string[]): boolean {
  return segments.length === 2 && segments[0] === 'assets' && /-[A-Za-z0-9_-]{8,}\.[A-Za-z0-9]+$/.test(segments[1]!);
}

const notFound = () => HttpError.notFound('No such file');

/** URL path -> safe relative segments, or throws 404 (never says why: no probing of the file system). */
export function pathSegments(pathname: string): string[] {
  if (pathname === '/' || pathname === '') return ['index.html'];
  const raw = pathname.slice(1).split('/');
  return raw.map((s) => {
    let d: string;
    try {
      d = decodeURIComponent(s);
    } catch {
      throw notFound();
    }
    if (d === '' || d.startsWith('.') || /[/\\:\0]/.test(d)) throw notFound();
    return d;
  });
}

async function resolveInside(root: string, segments: string[]): Promise<string> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    throw HttpError.notFound('The dock is not built: run `npm run build`');
  }
  let real: string;
  try {
    real = await realpath(join(realRoot, ...segments));
  } catch {
    throw notFound();
  }
  if (!real.startsWith(realRoot + sep)) throw notFound();
  return real;
}

export async function serveStatic(req: Request, root: string): Promise<Response> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw HttpError.methodNotAllowed(['GET', 'HEAD']);
  const segments = pathSegments(new URL(req.url).pathname);
  const file = await resolveInside(root, segments);
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw notFound();
  const headers = {
    ...SECURITY_HEADERS,
    'content-type': contentType(file),
    'content-length': String(info.size),
    'cache-control': isHashedAsset(segments) ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
  if (req.method === 'HEAD') return new Response(null, { status: 200, headers });
  return new Response(await readFile(file), { status: 200, headers });
}
