/**
 * A small JSON document in the config folder (settings.json, intent.json), validated by its zod schema on
 * every read and write. Writes are atomic (temp file in the same folder + rename) and serialised, so a crash
 * or two quick PUTs never leave half a file. A file that fails to parse or validate is kept aside as
 * `<name>.corrupt-<time>` and replaced by the defaults, with one log line.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type * as z from 'zod/mini';
import { IntentBody, SettingsBody } from '../../shared/api-routes.js';
import { formatIssues } from '../../shared/cloud-schemas.js';

export interface JsonStore<T> {
  read(): Promise<T>;
  /** validates, writes atomically, returns what was stored */
  write(value: T): Promise<T>;
}

export interface JsonStoreOptions<T> {
  path: string;
  schema: z.ZodMiniType<T>;
  defaults: () => T;
  log?: (line: string) => void;
  now?: () => number;
}

export class StoreValidationError extends Error {
  override name = 'StoreValidationError';
}

export function createJsonStore<T>(o: JsonStoreOptions<T>): JsonStore<T> {
  const now = o.now ?? Date.now;
  const log = o.log ?? (() => undefined);
  let queue: Promise<unknown> = Promise.resolve();
  // one operation at a time: a read never sees a rename half done by a concurrent write of this process
  const serial = <R>(fn: () => Promise<R>): Promise<R> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  async function writeAtomic(value: T): Promise<void> {
    await mkdir(dirname(o.path), { recursive: true, mode: 0o700 });
    const tmp = join(dirname(o.path), `.${basename(o.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await writeFile(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
      await rename(tmp, o.path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async function readOnce(): Promise<T> {
    let text: string;
    try {
      text = await readFile(o.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return o.defaults();
      throw e;
    }
    let why: string;
    try {
      const r = o.schema.safeParse(JSON.parse(text));
      if (r.success) return r.data;
      why = formatIssues(r.error);
    } catch {
      why = 'not valid JSON';
    }
    const backup = `${o.path}.corrupt-${new Date(now()).toISOString().replace(/[:.]/g, '-')}`;
    await rename(o.path, backup);
    const fresh = o.defaults();
    await writeAtomic(fresh);
    log(`${basename(o.path)} was unreadable (${why}); kept it as ${basename(backup)} and started from defaults`);
    return fresh;
  }

  return {
    read: () => serial(readOnce),
    write: (value) =>
      serial(async () => {
        const r = o.schema.safeParse(value);
        if (!r.success) throw new StoreValidationError(`${basename(o.path)}: ${formatIssues(r.error)}`);
        await writeAtomic(r.data);
        return r.data;
      }),
  };
}

export const SETTINGS_FILE = 'settings.json';
export const INTENT_FILE = 'intent.json';

export function settingsStore(dir: string, log?: (line: string) => void): JsonStore<SettingsBody> {
  return createJsonStore({
    path: join(dir, SETTINGS_FILE),
    schema: SettingsBody,
    defaults: () => ({ presets: [] }),
    ...(log ? { log } : {}),
  });
}

export function intentStore(dir: string, log?: (line: string) => void): JsonStore<IntentBody> {
  return createJsonStore({
    path: join(dir, INTENT_FILE),
    schema: IntentBody,
    defaults: () => ({ shouldBeLive: false }),
    ...(log ? { log } : {}),
  });
}
