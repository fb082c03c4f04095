/**
 * Presets as pure list operations, and the settings document they are saved in. The helper's copy
 * (PUT /api/settings) is the durable one; localStorage keeps a cache so the dock shows them before the
 * helper answers.
 */
import * as z from 'zod/mini';
import { SettingsBody, type ChannelSettings, type Preset } from '../../../shared/api-routes.js';
import type { Lang } from '../i18n/index.js';

export const MAX_PRESETS = 50;

export function addPreset(list: readonly Preset[], id: string, name: string, channel: ChannelSettings): Preset[] {
  return [...list, { id, name: name.slice(0, 64), channel }].slice(-MAX_PRESETS);
}

export function updatePreset(list: readonly Preset[], id: string, patch: Partial<Omit<Preset, 'id'>>): Preset[] {
  return list.map((p) => (p.id === id ? { ...p, ...patch, name: (patch.name ?? p.name).slice(0, 64) } : p));
}

export function removePreset(list: readonly Preset[], id: string): Preset[] {
  return list.filter((p) => p.id !== id);
}

export function toSettings(
  list: readonly Preset[],
  selectedId: string | undefined,
  obsUrl: string,
  language: Lang | undefined,
): SettingsBody {
  return {
    presets: [...list],
    ...(selectedId && list.some((p) => p.id === selectedId) ? { selectedPresetId: selectedId } : {}),
    ...(obsUrl ? { obsUrl: obsUrl.slice(0, 200) } : {}),
    ...(language ? { language } : {}),
  };
}

/** A cached or served settings document, or undefined when it does not match the schema. */
export function parseSettings(x: unknown): SettingsBody | undefined {
  const r = z.safeParse(SettingsBody, x);
  return r.success ? r.data : undefined;
}

/** A short random id (crypto when available). */
export function newId(random: () => number): string {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  const part = () => Math.floor(random() * 2 ** 32).toString(36);
  return `${part()}-${part()}`;
}
