/**
 * What `install` changed in one OBS config folder, so `uninstall` can undo exactly that. Kept in the helper's
 * config folder (`<configDir>/install/<hash of the OBS folder>.json`, 0600) beside no secret: the websocket
 * password install set is stored only as a SHA-256, to recognise it later.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as z from 'zod/mini';

const DockEntry = z.looseObject({ title: z.string(), url: z.string(), uuid: z.string() });
const ScriptEntry = z.looseObject({ path: z.string(), settings: z.optional(z.record(z.string(), z.unknown())) });

export const Change = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('dock'),
    uuid: z.string(),
    url: z.string(),
    keyExisted: z.boolean(),
    previous: z.optional(DockEntry),
  }),
  z.object({
    kind: z.literal('script'),
    path: z.string(),
    modulesExisted: z.boolean(),
    keyExisted: z.boolean(),
    previous: z.optional(ScriptEntry),
  }),
  z.object({
    kind: z.literal('websocket'),
    format: z.enum(['ini', 'json']),
    keys: z.array(
      z.object({ key: z.string(), before: z.optional(z.union([z.string(), z.boolean()])), afterSha256: z.string() }),
    ),
  }),
]);
export type Change = z.infer<typeof Change>;

export const FileRecord = z.object({
  path: z.string(),
  existed: z.boolean(),
  /** '' when the file did not exist */
  beforeSha256: z.string(),
  afterSha256: z.string(),
  /** a copy of the bytes before the first install touched the file */
  backup: z.optional(z.string()),
  changes: z.array(Change),
});
export type FileRecord = z.infer<typeof FileRecord>;

export const Manifest = z.object({
  version: z.literal(1),
  obsConfigDir: z.string(),
  layout: z.string(),
  installedAt: z.string(),
  scriptPath: z.string(),
  dockUrlPort: z.number(),
  files: z.array(FileRecord),
});
export type Manifest = z.infer<typeof Manifest>;

export const BACKUP_SUFFIX = '.artc-ingest.bak';

export const sha256Bytes = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export function manifestPath(helperDir: string, obsConfigDir: string): string {
  const key = sha256Bytes(resolve(obsConfigDir)).slice(0, 16);
  return join(helperDir, 'install', `${key}.json`);
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

export function readManifest(path: string): Manifest | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ManifestError(
      `${path}: not valid JSON (delete it to start over; the backups *${BACKUP_SUFFIX} stay beside each OBS file)`,
    );
  }
  const r = Manifest.safeParse(json);
  if (!r.success)
    throw new ManifestError(
      `${path}: unexpected content (delete it to start over; the backups *${BACKUP_SUFFIX} stay beside each OBS file)`,
    );
  return r.data;
}

export function writeManifest(path: string, m: Manifest): void {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(m, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

export function removeManifest(path: string): void {
  rmSync(path, { force: true });
}
