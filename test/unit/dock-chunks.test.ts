/**
 * How the built dock (dist/dock) is cut into what the page loads and what comes later: the supervisor is a chunk
 * of its own (dock/src/model/lazy-supervisor.ts), and the service worker keeps every asset of this build.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCK_ASSETS, dockAssets } from '../helpers/dock-dist.js';

describe('the built dock, cut for loading (dist/dock)', () => {
  it('the page loads without the supervisor: it is a chunk of its own, fetched when first needed', () => {
    const html = readFileSync(join(DOCK_ASSETS, '..', 'index.html'), 'utf8');
    const atLoad = dockAssets('.js').filter((f) => html.includes(`assets/${basename(f)}`));
    const lazy = dockAssets('.js').filter((f) => !atLoad.includes(f));
    // a line only the supervisor writes (shared/supervisor/states/live.ts)
    const marker = 'consecutive polls while OBS streams';
    expect(atLoad.length).toBeGreaterThan(0);
    for (const f of atLoad) expect(readFileSync(f, 'utf8'), f).not.toContain(marker);
    expect(lazy.filter((f) => readFileSync(f, 'utf8').includes(marker)).map((f) => basename(f))).toEqual([
      expect.stringMatching(/^supervisor-adapter-/),
    ]);
  });

  it("the service worker's precache list names every asset, the lazy chunks included", () => {
    const listed = JSON.parse(readFileSync(join(DOCK_ASSETS, '..', 'precache.json'), 'utf8')) as string[];
    const files = readdirSync(DOCK_ASSETS).map((f) => `assets/${f}`);
    expect([...listed].sort()).toEqual([...files].sort());
    expect(listed.some((f) => /^assets\/supervisor-adapter-.*\.js$/.test(f))).toBe(true);
  });

  it("the service worker's cache is named after this build, so a new build precaches itself anew", () => {
    const sw = readFileSync(join(DOCK_ASSETS, '..', 'sw.js'), 'utf8');
    expect(sw).toMatch(/const CACHE = 'artc-dock-[0-9a-f]{12}';/);
    expect(sw).not.toContain('artc-dock-dev');
  });
});
