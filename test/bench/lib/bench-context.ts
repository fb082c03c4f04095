/** The state of one `npm run bench` run: env settings, the figures collected, failed repetitions, extras. */
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';
import type { ChannelSettings } from '../../../shared/api-routes.js';
import { load1, type Figure } from './stats.js';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const REPS = Number(process.env.ARTC_BENCH_REPS ?? 10);
export const WINDOW_MS = Number(process.env.ARTC_BENCH_WINDOW_S ?? 30) * 1000;
export const ONLY = process.env.ARTC_BENCH_ONLY?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
export const section = (name: string) => (!ONLY || ONLY.includes(name) ? it : it.skip);

export const APP = 'benchApp';
export const ch = (channelId: string, userId: string, extra: Partial<ChannelSettings> = {}): ChannelSettings => ({
  appId: APP,
  channelId,
  userId,
  displayName: `Bench ${userId}`,
  ...extra,
});

export const figures = new Map<string, Figure>();
export const errors: string[] = [];
export const conditions: string[] = [];
export const extra: Record<string, unknown> = {};
export const startLoad = load1();

export function fig(id: string, label: string, unit: Figure['unit'], target?: string, note?: string): Figure {
  let f = figures.get(id);
  if (!f)
    figures.set(id, (f = { id, label, unit, samples: [], ...(target ? { target } : {}), ...(note ? { note } : {}) }));
  return f;
}

/** Runs `reps` repetitions; a failed one is logged, counted and followed by `reset`, and the run goes on. */
export async function repeat(
  name: string,
  reps: number,
  one: (i: number) => Promise<void>,
  reset?: () => Promise<void>,
): Promise<void> {
  for (let i = 0; i < reps; i++) {
    try {
      await one(i);
    } catch (e) {
      const full = (e as Error).message;
      const msg = `${name} #${i + 1}: ${full.split('\n')[0]}`;
      errors.push(msg);
      console.log(
        `[bench] FAILED ${msg}${full.includes('\n') ? `\n${full.split('\n').slice(1).slice(-80).join('\n')}` : ''}`,
      );
      await reset?.().catch((r: unknown) => console.log(`[bench] reset failed: ${String(r)}`));
    }
  }
  console.log(`[bench] ${name}: ${reps} repetitions done (load ${load1()})`);
}
