/**
 * localStorage wrapped once: OBS's embedded browser can deny storage (a profile without a writable cache folder),
 * and a quota or privacy error must never blank the dock. Every read and write goes through here.
 */
export interface KeyValueStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

const PREFIX = 'artc-ingest:';

export function createStorage(backing: Storage | undefined = safeLocalStorage()): KeyValueStore {
  return {
    get(key) {
      try {
        return backing ? backing.getItem(PREFIX + key) : null;
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        backing?.setItem(PREFIX + key, value);
      } catch {
        /* storage full or denied: the helper's copy (PUT /api/settings) is the durable one */
      }
    },
    remove(key) {
      try {
        backing?.removeItem(PREFIX + key);
      } catch {
        /* see set() */
      }
    },
  };
}

/** An in-memory store for tests and for browsers that deny storage. */
export function memoryStorage(seed: Record<string, string> = {}): KeyValueStore {
  const m = new Map(Object.entries(seed));
  return { get: (k) => m.get(k) ?? null, set: (k, v) => void m.set(k, v), remove: (k) => void m.delete(k) };
}

function safeLocalStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

/** JSON helpers: a corrupt entry reads as absent. */
export function readJson(store: KeyValueStore, key: string): unknown {
  const raw = store.get(key);
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

export function writeJson(store: KeyValueStore, key: string, value: unknown): void {
  store.set(key, JSON.stringify(value));
}
