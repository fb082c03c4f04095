/**
 * The helper's port: one default and one check for every flag and setting that names it (serve, install,
 * doctor; the dock reaches the helper at the same default).
 */
export const DEFAULT_HELPER_PORT = 4466;
/** OBS's script settings take 1024-65535 (artc-ingest.lua), so a port written there must be in that range. */
export const MIN_OBS_SETTINGS_PORT = 1024;
export const MAX_PORT = 65535;

/** A TCP port as typed: whole digits from `min` to 65535; else undefined. */
export function toPort(raw: string, min = 1): number | undefined {
  if (!/^\d{1,5}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= min && n <= MAX_PORT ? n : undefined;
}
