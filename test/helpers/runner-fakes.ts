/**
 * The supervisor runner with fake ports and a fake clock, for test/unit/supervisor-runner.test.ts: the fake OBS
 * behaves as obs.md says (StartStream answers at once, the outcome comes as events; 500/501 "already so"; Set
 * refused while streaming), the fake cloud mints and lists on the fake clock. `setup()` wires a runner to them.
 */
import { expect } from 'vitest';
import { SupervisorRunner } from '../../shared/supervisor/index.js';
import type { ApiPort, Event, ObsPort, RunnerOptions, TimerApi } from '../../shared/supervisor/index.js';
import { FakeTimerQueue } from './fake-clock.js';
import { CHANNEL, HOUR, T0 } from './supervisor-sim.js';

export async function flush(): Promise<void> {
  for (let i = 0; i < 30; i++) await Promise.resolve();
}

/** The runner's clock and timers from T0, settling promises with 30 microtask turns between timers. */
export class FakeClock extends FakeTimerQueue implements TimerApi {
  constructor() {
    super(T0, flush);
  }
}

export class FakeObs implements ObsPort {
  calls: string[] = [];
  callTimes: Record<string, number[]> = {};
  streaming = false;
  settings: unknown;
  hang = new Set<string>();
  dispatch: (e: Event) => void = () => undefined;
  constructor(private readonly clock: FakeClock) {}

  emit(state: 'STARTING' | 'STARTED' | 'STOPPING' | 'STOPPED' | 'RECONNECTING', after = 0): void {
    const fire = () => {
      this.streaming = state === 'STARTED' || state === 'RECONNECTING' || state === 'STOPPING';
      this.dispatch({
        type: 'obs-stream-state',
        outputState: `OBS_WEBSOCKET_OUTPUT_${state}`,
        outputActive: state === 'STARTED' || state === 'STOPPING',
      });
    };
    if (after === 0) fire();
    else this.clock.setTimer(fire, after);
  }

  call(requestType: string, data?: object): Promise<unknown> {
    this.calls.push(requestType);
    (this.callTimes[requestType] ??= []).push(this.clock.time);
    if (this.hang.has(requestType)) return new Promise(() => undefined);
    switch (requestType) {
      case 'GetStreamStatus':
        return Promise.resolve({ outputActive: this.streaming, outputReconnecting: false });
      case 'SetStreamServiceSettings':
        if (this.streaming) return Promise.reject(Object.assign(new Error('streaming'), { code: 500 }));
        this.settings = data;
        return Promise.resolve({});
      case 'StartStream':
        if (this.streaming) return Promise.reject(Object.assign(new Error('running'), { code: 500 }));
        this.emit('STARTING', 10);
        this.emit('STARTED', 200);
        return Promise.resolve({});
      case 'StopStream':
        if (!this.streaming) return Promise.reject(Object.assign(new Error('not running'), { code: 501 }));
        this.emit('STOPPING', 5);
        this.emit('STOPPED', 30);
        return Promise.resolve({});
    }
    return Promise.reject(Object.assign(new Error('unknown'), { code: 204 }));
  }

  reconnect(): Promise<void> {
    return Promise.resolve();
  }
}

export class FakeApi implements ApiPort {
  mints = 0;
  present = true;
  participantsError: unknown;
  mintDelay = 0;
  constructor(private readonly clock: FakeClock) {}

  mint(): ReturnType<ApiPort['mint']> {
    this.mints += 1;
    const n = this.mints;
    const url = {
      requestId: `req-m${n}`,
      server: 'rtmp://push.example/app',
      streamKey: `s${n}?auth_key=tok-secret-${n}`,
      expiresAt: this.clock.time + 10 * HOUR,
    };
    if (this.mintDelay === 0) return Promise.resolve(url);
    return new Promise((resolve) => this.clock.setTimer(() => resolve(url), this.mintDelay));
  }

  participants(): ReturnType<ApiPort['participants']> {
    if (this.participantsError) return Promise.reject(this.participantsError);
    return Promise.resolve({ requestId: `req-p${this.clock.time}`, users: this.present ? [CHANNEL.userId] : [] });
  }
}

export function setup(over: Partial<RunnerOptions> = {}) {
  const clock = new FakeClock();
  const obs = new FakeObs(clock);
  const api = new FakeApi(clock);
  const saved: unknown[] = [];
  const runner = new SupervisorRunner({
    obs,
    api,
    intent: { save: async (i) => void saved.push(i) },
    clock,
    random: () => 0.5,
    timers: clock,
    ...over,
  });
  obs.dispatch = (e) => runner.dispatch(e);
  runner.dispatch({ type: 'obs-connected' });
  return { clock, obs, api, runner, saved };
}

export async function goLive(t: ReturnType<typeof setup>): Promise<void> {
  t.runner.goLive(CHANNEL);
  await t.clock.advance(2_000);
  expect(t.runner.state.kind).toBe('live');
}
