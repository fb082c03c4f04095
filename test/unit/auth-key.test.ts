/** URL signing type A: the md5 vector, round trips, and every way a key is refused. */
import { describe, expect, it } from 'vitest';
import { authKeyHash, parseAuthKey, signAuthKey, verifyAuthKey } from '../../script/sandbox/auth-key.js';

const BASE = { app: 'rtcdevX', stream: 'S', timestamp: 1700492701, rand: '6e33', uid: '0', privateKey: 'k' };

describe('type A auth_key', () => {
  it('hashes /APP/STREAM-timestamp-rand-uid-PrivateKey with md5 (vector from md5sum)', () => {
    // printf '/rtcdevX/S-1700492701-6e33-0-k' | md5sum
    expect(authKeyHash(BASE)).toBe('57f60572468d4b9771290c7995249a16');
    expect(signAuthKey(BASE)).toBe('1700492701-6e33-0-57f60572468d4b9771290c7995249a16');
  });

  it('parses the doc shape and refuses anything else', () => {
    expect(parseAuthKey('1700492701-6e33-0-57f60572468d4b9771290c7995249a16')).toEqual({
      timestamp: 1700492701,
      rand: '6e33',
      uid: '0',
      md5: '57f60572468d4b9771290c7995249a16',
    });
    for (const bad of [
      '',
      '1700492701-6e33-0',
      '1700492701-6e33-0-xyz',
      'abc-6e33-0-57f60572468d4b9771290c7995249a16',
      '1-2-3-4-57f60572468d4b9771290c7995249a16',
      '1700492701-6e33-0-57F60572468D4B9771290C7995249A16',
    ]) {
      expect(parseAuthKey(bad)).toBeNull();
    }
  });

  it('refuses to sign a rand or uid that would break the format', () => {
    expect(() => signAuthKey({ ...BASE, rand: 'a-b' })).toThrow(/alphanumeric/);
    expect(() => signAuthKey({ ...BASE, timestamp: 1.5 })).toThrow(/unix seconds/);
  });

  const verify = (authKey: string | string[] | undefined, nowMs = 1700492701_000, over: Partial<typeof BASE> = {}) =>
    verifyAuthKey({
      app: over.app ?? BASE.app,
      stream: over.stream ?? BASE.stream,
      authKey,
      privateKey: over.privateKey ?? BASE.privateKey,
      nowMs,
    });

  it('accepts through the last second of the timestamp, refuses after it', () => {
    const key = signAuthKey(BASE);
    expect(verify(key, 1700492701_999)).toMatchObject({ ok: true, expiresAtMs: 1700492702_000 });
    expect(verify(key, 1700492702_000)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it.each([
    ['another timestamp', (k: string) => k.replace('1700492701', '1700492799')],
    ['another rand', (k: string) => k.replace('-6e33-', '-6e34-')],
    ['another uid', (k: string) => k.replace('-0-', '-1-')],
    ['one md5 digit', (k: string) => k.replace(/.$/, (c) => (c === '0' ? '1' : '0'))],
  ])('calls a key with %s forged', (_what, alter) => {
    expect(verify(alter(signAuthKey(BASE)), 0)).toMatchObject({ ok: false, reason: 'forged' });
  });

  it('checks the signature before the time: an expired forgery is "forged"', () => {
    const forged = signAuthKey({ ...BASE, privateKey: 'other' });
    expect(verify(forged, 1800000000_000)).toMatchObject({ ok: false, reason: 'forged' });
  });

  it('binds the key to its app, stream and private key', () => {
    const key = signAuthKey(BASE);
    expect(verify(key, 0, { app: 'rtcdevY' })).toMatchObject({ reason: 'forged' });
    expect(verify(key, 0, { stream: 'T' })).toMatchObject({ reason: 'forged' });
    expect(verify(key, 0, { privateKey: 'k2' })).toMatchObject({ reason: 'forged' });
  });

  it('calls a missing, repeated or misshapen key malformed', () => {
    expect(verify(undefined)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verify([signAuthKey(BASE), signAuthKey(BASE)])).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verify('1700492701-6e33-0')).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
