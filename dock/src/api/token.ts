/**
 * The helper token: the dock is opened as `http://127.0.0.1:4466/?token=...`. Read it from the URL once,
 * keep it in storage (OBS reopens the dock with the same URL, but a reload after the strip must still work),
 * and strip it from the address bar so it is not left in history or shown on screen.
 */
import type { KeyValueStore } from '../lib/storage.js';

const KEY = 'token';

export interface LocationLike {
  href: string;
}
export interface HistoryLike {
  replaceState(data: unknown, unused: string, url?: string | URL | null): void;
}

export function readToken(location: LocationLike, history: HistoryLike, storage: KeyValueStore): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null) {
    url.searchParams.delete('token');
    try {
      history.replaceState(null, '', url.pathname + url.search + url.hash);
    } catch {
      /* some embedded browsers refuse replaceState on odd URLs; the token is still kept */
    }
    if (fromUrl) {
      storage.set(KEY, fromUrl);
      return fromUrl;
    }
  }
  return storage.get(KEY);
}
