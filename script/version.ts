/** Replaced at build time by Vite's `define`; the fallback is for tests run from source. */
declare const __ARTC_VERSION__: string | undefined;
export const VERSION: string = typeof __ARTC_VERSION__ === 'string' ? __ARTC_VERSION__ : '0.0.0-dev';
