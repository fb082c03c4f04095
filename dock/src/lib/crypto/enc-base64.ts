/**
 * Build-time stand-in for `crypto-js/enc-base64.js` inside obs-websocket-js (see ./sha256.ts): only
 * `stringify`, of the digest bytes our sha256 returns, is used there.
 */
export default {
  stringify(bytes: Uint8Array): string {
    let s = '';
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  },
};
