/**
 * ObsClient's pure parts: how a close and a request error are classified, and the obs-websocket reconnect delay.
 */
import { describe, expect, it } from 'vitest';
import {
  classifyClose,
  classifyRequestError,
  nextObsReconnectDelay,
  ObsClientError,
  ObsCloseCode,
} from '../../shared/obs-client.js';
import { FakeObsError } from '../helpers/fake-obs-socket.js';

describe('classifyClose', () => {
  it.each([
    [4009, false, 'auth-failed'],
    [4011, true, 'session-invalidated'],
    [4010, false, 'unsupported-rpc'],
    [4002, true, 'protocol-error'],
    [4007, true, 'protocol-error'],
    [4012, true, 'protocol-error'],
    [1006, false, 'unreachable'],
    [1006, true, 'lost'],
    [1001, true, 'lost'],
    [4000, true, 'lost'],
  ] as const)('%i (identified=%s) -> %s', (code, identified, expected) => {
    expect(classifyClose(code, identified)).toBe(expected);
  });

  it('exports the close codes', () => {
    expect(ObsCloseCode).toMatchObject({
      AuthenticationFailed: 4009,
      UnsupportedRpcVersion: 4010,
      SessionInvalidated: 4011,
    });
  });
});

describe('classifyRequestError', () => {
  it.each([
    [new FakeObsError(500, ''), 'StartStream', 'already-so', false],
    [new FakeObsError(501, ''), 'StopStream', 'already-so', false],
    [new FakeObsError(501, ''), 'StartStream', 'failed', false],
    [new FakeObsError(207, 'not ready'), 'GetStreamStatus', 'not-ready', true],
    [new FakeObsError(500, ''), 'SetStreamServiceSettings', 'output-busy', false],
    [new FakeObsError(204, ''), 'StartStreem', 'invalid-request', false],
    [new FakeObsError(402, ''), 'SetStreamServiceSettings', 'invalid-request', false],
    [new FakeObsError(600, ''), 'GetInputSettings', 'failed', false],
    [ObsClientError.timeout('StartStream', 5000, 'StartStream'), undefined, 'timeout', false],
    [ObsClientError.notConnected('GetStats'), undefined, 'disconnected', true],
    [new Error('weird'), 'GetStats', 'failed', false],
  ] as const)('%s on %s -> %s', (err, type, kind, retryable) => {
    expect(classifyRequestError(err, type)).toMatchObject({ kind, retryable });
  });
});

describe('nextObsReconnectDelay', () => {
  it('never reconnects on its own after 4011, 4010, a protocol error or our own disconnect', () => {
    for (const closeClass of ['session-invalidated', 'unsupported-rpc', 'protocol-error', 'normal'] as const) {
      expect(nextObsReconnectDelay({ attempt: 1, closeClass, random: 0.5 })).toBeNull();
    }
  });

  it('after 4009 waits for a new password, then tries soon', () => {
    expect(nextObsReconnectDelay({ attempt: 3, closeClass: 'auth-failed', random: 0.99 })).toBeNull();
    const d = nextObsReconnectDelay({ attempt: 3, closeClass: 'auth-failed', random: 0.99, passwordChanged: true });
    expect(d).not.toBeNull();
    expect(d!).toBeLessThanOrEqual(500);
  });

  it('backs off exponentially with full jitter: floor 100 ms, ceiling 500 ms doubling to a 10 s cap', () => {
    const top = (attempt: number) => nextObsReconnectDelay({ attempt, closeClass: 'lost', random: 0.999999 });
    expect([1, 2, 3, 4, 5, 6, 7].map(top)).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(nextObsReconnectDelay({ attempt: 5, closeClass: 'unreachable', random: 0 })).toBe(100);
    expect(nextObsReconnectDelay({ attempt: 50, closeClass: 'unreachable', random: 0.5 })).toBe(5050);
  });
});
