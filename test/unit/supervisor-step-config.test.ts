/**
 * The supervisor's `step`: pure (never mutates its input, deterministic) and its config validated.
 */
import { describe, expect, it } from 'vitest';
import { initialState, makeConfig, step, SupervisorConfigError } from '../../shared/supervisor/index.js';
import { deepFreeze, Sim, T0 } from '../helpers/supervisor-sim.js';

describe('purity and config', () => {
  it('never mutates its input and is deterministic', () => {
    const a = new Sim().goLive();
    const frozen = deepFreeze(a.s);
    const r1 = step(
      frozen,
      { type: 'obs-stream-state', outputState: 'OBS_WEBSOCKET_OUTPUT_STOPPED', outputActive: false },
      a.now + 1,
    );
    const r2 = step(
      frozen,
      { type: 'obs-stream-state', outputState: 'OBS_WEBSOCKET_OUTPUT_STOPPED', outputActive: false },
      a.now + 1,
    );
    expect(r1).toEqual(r2);
    expect(frozen.kind).toBe('live');
  });

  it('validates config with precise messages', () => {
    expect(() => makeConfig({ pollIntervalMs: 0 })).toThrow(SupervisorConfigError);
    expect(() => makeConfig({ pollIntervalMs: 0 })).toThrow('pollIntervalMs must be a positive number of ms');
    expect(() => makeConfig({ retry: { baseMs: 1_000, capMs: 10, maxAttempts: Infinity } })).toThrow('retry.capMs');
    expect(() => makeConfig({ maxRecoveriesInWindow: 0 })).toThrow('maxRecoveriesInWindow');
    expect(makeConfig({}).retry).toMatchObject({ baseMs: 1_000, capMs: 60_000, maxAttempts: Infinity });
    expect(initialState({ now: T0 })).toMatchObject({ kind: 'idle', since: T0 });
  });
});
