/**
 * A `run` whose STS credentials expire while live: the shared SupervisorRunner with the real cloud client
 * (cloudPort) on the emulator, a fake clock for everything, and a fake OBS that publishes into the
 * emulator's ingest gate (so presence is real). The STS key comes from the emulator's AssumeRole and lasts
 * 15 min; when the cloud refuses it, the client re-resolves (a new AssumeRole) and the stream never drops;
 * a kick after that is recovered with a URL minted on the new key.
 */
import { describe, expect, it } from 'vitest';
import { LiveApiClient } from '../../script/cloud/api-client.js';
import type { CredentialSource } from '../../script/cloud/credentials.js';
import { TokenBucket } from '../../script/cloud/rate-limit.js';
import { cloudPort } from '../../script/run/supervise.js';
import { splitRtmpAddress } from '../../shared/rtmp-address.js';
import { SupervisorRunner, type Event, type ObsPort, type TimerApi } from '../../shared/supervisor/index.js';
import { ENDPOINT, setup } from '../helpers/emulator-fixture.js';
import { assumeSandboxRole } from '../helpers/sts-assume.js';

const CHANNEL = { appId: 'app1', channelId: 'room1', userId: 'obs-pub', displayName: 'OBS' };

class Clock implements TimerApi {
  private seq = 0;
  private readonly queue = new Map<number, { at: number; fn: () => void }>();
  constructor(private readonly f: ReturnType<typeof setup>) {}
  now = () => this.f.clock.now();
  setTimer = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.queue.set(id, { at: this.now() + ms, fn });
    return id;
  };
  clearTimer = (h: unknown) => void this.queue.delete(h as number);
  sleep = (ms: number) => new Promise<void>((r) => this.setTimer(r, ms));
  async advance(ms: number): Promise<void> {
    const end = this.now() + ms;
    for (;;) {
      for (let i = 0; i < 50; i++) await Promise.resolve();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.queue) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.queue.delete(next[0]);
      this.f.clock.advance(next[1].at - this.now());
      next[1].fn();
    }
    this.f.clock.advance(end - this.now());
    for (let i = 0; i < 50; i++) await Promise.resolve();
  }
}

/** OBS as far as the supervisor sees it; StartStream publishes the configured URL into the emulator's gate. */
class Obs implements ObsPort {
  dispatch: (e: Event) => void = () => undefined;
  private settings: { server: string; key: string } | undefined;
  private session = 0;
  private live: string | undefined;
  constructor(
    private readonly f: ReturnType<typeof setup>,
    private readonly clock: Clock,
  ) {}
  private emit(state: 'STARTED' | 'STOPPED', after: number) {
    this.clock.setTimer(
      () =>
        this.dispatch({
          type: 'obs-stream-state',
          outputState: `OBS_WEBSOCKET_OUTPUT_${state}`,
          outputActive: state === 'STARTED',
        }),
      after,
    );
  }
  async call(type: string, data?: object): Promise<unknown> {
    if (type === 'GetStreamStatus') return { outputActive: this.live !== undefined, outputReconnecting: false };
    if (type === 'SetStreamServiceSettings') {
      this.settings = (data as { streamServiceSettings: { server: string; key: string } }).streamServiceSettings;
      return {};
    }
    if (type === 'StartStream') {
      const { server, streamKey } = splitRtmpAddress(`${this.settings!.server}/${this.settings!.key}`);
      const [stream, query = ''] = streamKey.split('?');
      const id = `s${++this.session}`;
      const verdict = this.f.emu.gate.admit({
        sessionId: id,
        app: server.slice(server.lastIndexOf('/') + 1),
        stream: stream!,
        authKey: new URLSearchParams(query).get('auth_key') ?? undefined,
        close: () => this.drop(id),
      });
      if (!verdict.ok) throw Object.assign(new Error(verdict.detail), { code: 500 });
      this.live = id;
      this.emit('STARTED', 200);
      return {};
    }
    if (type === 'StopStream') {
      if (this.live) this.f.emu.gate.end(this.live);
      this.live = undefined;
      this.emit('STOPPED', 30);
      return {};
    }
    throw Object.assign(new Error('unknown'), { code: 204 });
  }
  private drop(id: string) {
    if (this.live !== id) return;
    this.live = undefined;
    this.emit('STOPPED', 0);
  }
  reconnect() {}
}

/** An STS key from the emulator's AssumeRole, re-assumed on refresh() (what a RamRoleArn provider does). */
function assumedRole(f: ReturnType<typeof setup>, seconds: number) {
  let current: { accessKeyId: string; accessKeySecret: string; securityToken: string } | undefined;
  const stats = { assumed: 0 };
  async function assume() {
    const k = await assumeSandboxRole(f, { sessionName: 'run', seconds });
    stats.assumed++;
    current = { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret, securityToken: k.SecurityToken };
    return current;
  }
  const source: CredentialSource = {
    get: async () => current ?? assume(),
    refresh: assume,
    info: () => ({ type: 'RamRoleArn', source: 'test' }),
    secrets: () => (current ? [current.accessKeySecret, current.securityToken] : []),
  };
  return { source, stats };
}

describe('run with STS credentials that expire while live', () => {
  it('refreshes on the refusal without dropping the stream; the next recovery mints with the new key', async () => {
    const f = setup();
    const clock = new Clock(f);
    const obs = new Obs(f, clock);
    const { source, stats } = assumedRole(f, 900);
    const client = new LiveApiClient({
      endpoint: ENDPOINT,
      credentials: source,
      fetch: f.fetch,
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0.5,
      nonce: f.nonce,
      limiter: new TokenBucket(1e6, 1e6),
    });
    const runner = new SupervisorRunner({
      obs,
      api: cloudPort(client),
      clock,
      random: () => 0.5,
      timers: clock,
      config: { pollIntervalMs: 5_000, pollJitter: 0 },
    });
    obs.dispatch = (e) => runner.dispatch(e);
    runner.dispatch({ type: 'obs-connected' });
    runner.goLive(CHANNEL);
    await clock.advance(5_000);
    expect(runner.state.kind).toBe('live');
    expect(stats.assumed).toBe(1);

    // 16 min on: the 15-min key expired at the cloud; the polls go on, re-resolving once when refused
    await clock.advance(16 * 60_000);
    expect(runner.state.kind).toBe('live');
    expect(stats.assumed).toBe(2);
    expect(f.emu.stats().outcomes.DescribeChannelParticipants).toMatchObject({ 'InvalidSecurityToken.Expired': 1 });
    expect(runner.snapshot().counters.recoveries).toBe(0);

    // a kick: the recovery mints a URL with the new key and goes live again
    const createsBefore = f.emu.stats().outcomes.CreateRoomRealTimeStreamAddress?.OK ?? 0;
    f.emu.faults.kick({ appId: CHANNEL.appId, channelId: CHANNEL.channelId, userId: CHANNEL.userId });
    await clock.advance(30_000);
    expect(runner.state.kind).toBe('live');
    expect(runner.snapshot().counters.recoveries).toBe(1);
    expect(f.emu.stats().publishes.accepted).toBe(2);
    expect((f.emu.stats().outcomes.CreateRoomRealTimeStreamAddress?.OK ?? 0) - createsBefore).toBeGreaterThanOrEqual(1);
    expect(f.emu.stats().outcomes.CreateRoomRealTimeStreamAddress).not.toHaveProperty(['InvalidSecurityToken.Expired']);
    runner.dispose();
  });
});
