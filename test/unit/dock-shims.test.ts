/**
 * The dock's build-time stand-ins for obs-websocket-js's dependencies (vite.config.ts aliases them for the dock
 * only) behave like the real packages where obs-websocket-js and ObsClient use them: the auth answer to OBS's
 * challenge is byte-identical to crypto-js's, the emitter follows eventemitter3 call for call, and the WebSocket
 * is the one the real isomorphic-ws picks in a browser.
 */
import { createHash, randomBytes } from 'node:crypto';
// @ts-expect-error crypto-js ships no types (obs-websocket-js imports it the same way)
import cryptoSha256 from 'crypto-js/sha256.js';
// @ts-expect-error as above
import cryptoBase64 from 'crypto-js/enc-base64.js';
import { EventEmitter as RealEmitter } from 'eventemitter3';
import { describe, expect, it } from 'vitest';
import sha256 from '../../dock/src/lib/crypto/sha256.js';
import base64 from '../../dock/src/lib/crypto/enc-base64.js';
import { EventEmitter } from '../../dock/src/lib/event-emitter.js';

/** obs-websocket-js's own formula (dist/chunk-*.js authenticationHashing), with the given primitives. */
const authAnswer = <W>(
  h: (s: string) => W,
  b: { stringify: (x: W) => string },
  password: string,
  salt: string,
  challenge: string,
) => b.stringify(h(b.stringify(h(password + salt)) + challenge));

describe('sha256 + base64 stand-ins for crypto-js', () => {
  it('match node:crypto on lengths around every padding boundary, and non-ASCII text', () => {
    const inputs = ['', 'abc', 'pässwörd ✓ 密码 🎥'];
    for (let n = 0; n <= 200; n++) inputs.push('x'.repeat(n));
    for (const s of inputs)
      expect(base64.stringify(sha256(s)), JSON.stringify(s)).toBe(
        createHash('sha256').update(s, 'utf8').digest('base64'),
      );
  });

  it('answer OBS auth challenges exactly like obs-websocket-js with crypto-js (200 random cases)', () => {
    for (let i = 0; i < 200; i++) {
      const password = randomBytes(1 + (i % 40)).toString(i % 3 ? 'base64' : 'latin1');
      const salt = randomBytes(32).toString('base64');
      const challenge = randomBytes(32).toString('base64');
      expect(authAnswer(sha256, base64, password, salt, challenge)).toBe(
        authAnswer(cryptoSha256, cryptoBase64, password, salt, challenge),
      );
    }
  });
});

describe('EventEmitter stand-in for eventemitter3', () => {
  /** what the script uses of an emitter (eventemitter3's surface) */
  interface Emitter {
    on(event: string, fn: (...args: unknown[]) => void, context?: object): unknown;
    once(event: string, fn: (...args: unknown[]) => void): unknown;
    off(event: string, fn: (...args: unknown[]) => void): unknown;
    emit(event: string, ...args: unknown[]): boolean;
    listenerCount(event: string): number;
    removeAllListeners(): unknown;
    eventNames(): unknown[];
  }

  /** Runs the same script on both and compares what the listeners saw. */
  function script(E: new () => Emitter): string[] {
    const seen: string[] = [];
    const e = new E();
    const a = (x: unknown) => seen.push(`a:${String(x)}`);
    const b = (x: unknown) => seen.push(`b:${String(x)}`);
    const ctx = { name: 'ctx' };
    e.on('ev', a);
    e.once('ev', b);
    e.on(
      'ctx',
      function (this: { name: string }) {
        seen.push(`this:${this.name}`);
      },
      ctx,
    );
    seen.push(`emit1:${e.emit('ev', 1)}`);
    seen.push(`emit2:${e.emit('ev', 2)}`);
    e.emit('ctx');
    seen.push(`count:${e.listenerCount('ev')}`);
    e.on('ev', b);
    e.off('ev', a);
    e.emit('ev', 3);
    // a listener that removes another during emit: the emit in progress still calls it (a copy is iterated)
    const c = () => {
      seen.push('c');
      e.off('rm', d);
    };
    const d = () => seen.push('d');
    e.on('rm', c);
    e.on('rm', d);
    e.emit('rm');
    e.emit('rm');
    e.once('op:0', (x: unknown) => seen.push(`once:${String(x)}`));
    e.removeAllListeners();
    seen.push(`after-clear:${e.emit('ev', 4)}:${e.emit('op:0', 5)}`);
    seen.push(`names:${e.eventNames().length}`);
    return seen;
  }

  it('behaves like eventemitter3 for on/once/off/emit/removeAllListeners/context', () => {
    expect(script(EventEmitter)).toEqual(script(RealEmitter));
  });
});

describe('isomorphic-ws stand-in', () => {
  it("is the engine's WebSocket, which is what the real package's browser build picks in Chromium", async () => {
    // Node 20 has no WebSocket global: stand one in before either module reads it
    const engineWs = class FakeWebSocket {};
    Object.assign(globalThis, { WebSocket: engineWs });
    const stub = (await import('../../dock/src/lib/ws-stub.js')).default;
    // @ts-expect-error the browser build has no types of its own
    const real = (await import('isomorphic-ws/browser.js')).default;
    expect(stub).toBe(engineWs);
    expect(real).toBe(engineWs);
    Reflect.deleteProperty(globalThis, 'WebSocket');
  });
});
