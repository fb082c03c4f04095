/**
 * Two builds from one config:
 *   `vite build`               -> dist/dock/ : the Preact dock for OBS's embedded Chromium (103 in OBS 28-30)
 *   `vite build --mode script` -> dist/artc-ingest.mjs : the helper, one Node 20 ESM file with a shebang
 */
import { defineConfig, type Plugin } from 'vite';
import preact from '@preact/preset-vite';
import { builtinModules } from 'node:module';
import { copyFileSync, readFileSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * Prints the dock's size in gzip bytes after the build: what OBS loads when the dock opens (the files index.html
 * names) against the 35 KB budget, and each lazy chunk (the zh-CN strings, fetched when chosen) on its own.
 */
function reportGzip(): Plugin {
  return {
    name: 'artc-report-gzip',
    apply: 'build',
    closeBundle() {
      const dist = join(import.meta.dirname, 'dist/dock');
      const html = readFileSync(join(dist, 'index.html'), 'utf8');
      let initial = 0;
      const lazy: string[] = [];
      for (const f of readdirSync(join(dist, 'assets'))) {
        if (!/\.(js|css)$/.test(f)) continue;
        const gz = gzipSync(readFileSync(join(dist, 'assets', f)), { level: 9 }).length;
        console.log(`  ${f}: ${statSync(join(dist, 'assets', f)).size} B, ${gz} B gzip`);
        if (html.includes(`assets/${f}`)) initial += gz;
        else lazy.push(`${f.replace(/-[\w-]{8}\.(js|css)$/, '')} +${gz} B`);
      }
      console.log(
        `dock JS + CSS: ${initial} B gzip at load (budget 35840 B)${lazy.length ? `; lazy: ${lazy.join(', ')}` : ''}`,
      );
    },
  };
}

/**
 * Vite wraps every dynamic import in its preload helper (~0.8 KB gzip), which adds <link> tags for the chunk's
 * dependencies. Here it has nothing to do: with `modulePreload: false` it is handed CSS dependencies only, and with
 * `cssCodeSplit: false` there are none (one stylesheet, loaded with the page). So the helper is the identity: the
 * lazy chunks (the supervisor, zh-CN) are plain `import()`s, their own imports fetched by the browser.
 */
function noPreloadHelper(): Plugin {
  const id = '\0vite/preload-helper.js';
  return {
    name: 'artc-no-preload-helper',
    apply: 'build',
    enforce: 'pre',
    resolveId: (source) => (source === id ? id : undefined),
    load: (source) => (source === id ? 'export const __vitePreload = (load) => load();' : undefined),
  };
}

/**
 * Lists every built asset in precache.json for the service worker (dock/public/sw.js): it keeps them all, not
 * only what index.html names, so the chunks fetched later (the supervisor, zh-CN) are there when OBS opens the
 * dock from the cache before the helper answers. The worker's cache name is stamped with the build (a hash of the
 * asset names, themselves content hashes): a new build is a new worker, which precaches it and drops the old cache.
 */
function precacheManifest(): Plugin {
  return {
    name: 'artc-precache-manifest',
    apply: 'build',
    closeBundle() {
      const dist = join(import.meta.dirname, 'dist/dock');
      const assets = readdirSync(join(dist, 'assets'))
        .sort()
        .map((f) => `assets/${f}`);
      writeFileSync(join(dist, 'precache.json'), JSON.stringify(assets));
      const build = createHash('sha256').update(assets.join('\n')).digest('hex').slice(0, 12);
      const sw = readFileSync(join(dist, 'sw.js'), 'utf8');
      if (!sw.includes("const CACHE = 'artc-dock-dev';")) throw new Error('sw.js: the CACHE line to stamp is missing');
      writeFileSync(
        join(dist, 'sw.js'),
        sw.replace("const CACHE = 'artc-dock-dev';", `const CACHE = 'artc-dock-${build}';`),
      );
    },
  };
}

/** Ships the OBS script beside the helper: `install` registers dist/artc-ingest.lua in OBS. */
function copyLuaScript(): Plugin {
  return {
    name: 'artc-copy-lua',
    apply: 'build',
    closeBundle() {
      copyFileSync(
        join(import.meta.dirname, 'script/obs/artc-ingest.lua'),
        join(import.meta.dirname, 'dist/artc-ingest.lua'),
      );
    },
  };
}

export default defineConfig(({ mode }) => {
  if (mode === 'script') {
    return {
      plugins: [copyLuaScript()],
      define: { __ARTC_VERSION__: JSON.stringify(pkg.version) },
      build: {
        ssr: 'script/main.ts',
        outDir: 'dist',
        emptyOutDir: false,
        target: 'node20',
        minify: false,
        sourcemap: false,
        rollupOptions: {
          // node-media-server (sandbox only, CommonJS with many deps) stays a runtime dependency, loaded lazily
          external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'node-media-server'],
          output: {
            entryFileNames: 'artc-ingest.mjs',
            format: 'es',
            banner: '#!/usr/bin/env node',
            codeSplitting: false,
          },
        },
      },
      // @alicloud/credentials (and httpx, kitx, ini, debug under it) is bundled: plain CommonJS that Vite inlines
      // cleanly (+~165 KB), used on every cloud call, so the helper stays one file; only node-media-server,
      // needed in sandbox mode alone and heavy with native-ish deps, stays external and lazy
      ssr: { noExternal: true, external: ['node-media-server'] },
    };
  }
  return {
    root: 'dock',
    base: './',
    plugins: [preact(), noPreloadHelper(), precacheManifest(), reportGzip()],
    // obs-websocket-js's trace logger is dead weight in the dock (see dock/src/lib/debug-stub.ts), and so are
    // crypto-js's whole core for one SHA-256 of the password, eventemitter3's unused half and isomorphic-ws's
    // probing for old engines (stand-ins below, each pinned against the real package in test/unit/dock-shims.test.ts)
    resolve: {
      alias: {
        debug: join(import.meta.dirname, 'dock/src/lib/debug-stub.ts'),
        'crypto-js/sha256.js': join(import.meta.dirname, 'dock/src/lib/crypto/sha256.ts'),
        'crypto-js/enc-base64.js': join(import.meta.dirname, 'dock/src/lib/crypto/enc-base64.ts'),
        eventemitter3: join(import.meta.dirname, 'dock/src/lib/event-emitter.ts'),
        'isomorphic-ws': join(import.meta.dirname, 'dock/src/lib/ws-stub.ts'),
      },
    },
    build: {
      outDir: '../dist/dock',
      emptyOutDir: true,
      target: 'chrome103',
      cssTarget: 'chrome103',
      assetsInlineLimit: 0,
      // nothing to preload (see noPreloadHelper): lazy chunks are fetched when imported
      modulePreload: false,
      cssCodeSplit: false,
    },
  };
});
