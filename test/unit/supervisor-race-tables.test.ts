/**
 * The races that are input -> expected, as table rows (one `it.each` row per case): the user stopping at each
 * stage of a recovery, and two detections at once giving one recovery. The races checked step by step are in
 * supervisor-races.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { liveWithoutSpare, Sim } from '../helpers/supervisor-sim.js';

/** One row: how far the recovery got, what Stop does there, and what the late inputs after it change. */
interface StopRow {
  name: string;
  /** from live (no spare) to the stage where Stop is pressed */
  reach: (sim: Sim) => void;
  /** the state right after Stop; every late input but the last leaves it so */
  afterStop: Record<string, unknown>;
  /** what still arrives after Stop: a late answer, a stray timer, OBS's own events */
  late: ((sim: Sim) => void)[];
  /** StopStream calls since the stage was being reached: right after Stop, then after each late input */
  stops: { atStop: number; afterEach: number[] };
  /** SetStreamServiceSettings and StartStream calls since the stage was being reached (none after Stop) */
  sets: number;
  starts: number;
  /** the countdown cancelled by the Stop itself */
  cancels?: 'retry';
  /** the late inputs emit nothing but log lines */
  quiet?: boolean;
}

const STOP_ROWS: StopRow[] = [
  {
    name: 'while minting: OBS is stopped, the late mint result is ignored, nothing is started',
    reach: (sim) => sim.obsState('RECONNECTING'), // takeover: StopStream + mint
    afterStop: { kind: 'stopping', via: 'dock' },
    late: [(sim) => sim.mintOk(), (sim) => sim.obsState('STOPPING'), (sim) => sim.obsState('STOPPED')],
    stops: { atStop: 1, afterEach: [1, 1, 1] }, // the takeover's stop serves
    sets: 0,
    starts: 0,
  },
  {
    name: 'while waiting to retry: ends at once, the countdown is cancelled',
    reach: (sim) => {
      sim.obsState('STOPPED');
      sim.mintFail({ code: 'ServiceUnavailable', message: 'busy', kind: 'server', retryable: true });
      expect(sim.kind).toBe('recovering');
    },
    afterStop: { kind: 'stopped-by-user' },
    late: [(sim) => sim.timer('retry')], // a timer that slipped through: ignored
    stops: { atStop: 0, afterEach: [0] },
    sets: 0,
    starts: 0,
    cancels: 'retry',
    quiet: true,
  },
  {
    name: 'while OBS is still connecting: no StopStream until STARTED (it would 501), then stop',
    reach: (sim) => {
      sim.obsState('STOPPED');
      sim.mintOk();
      sim.obsOk('SetStreamServiceSettings');
      sim.obsState('STARTING');
    },
    afterStop: { kind: 'stopping' },
    late: [(sim) => sim.obsState('STARTED'), (sim) => sim.obsState('STOPPING'), (sim) => sim.obsState('STOPPED')],
    stops: { atStop: 0, afterEach: [1, 1, 1] }, // sent on STARTED
    sets: 1,
    starts: 1,
  },
  {
    name: 'while confirming: stops OBS and ignores the poll in flight',
    reach: (sim) => {
      sim.obsState('STOPPED');
      sim.mintOk();
      sim.obsOk('SetStreamServiceSettings');
      sim.obsState('STARTED');
    },
    afterStop: { kind: 'stopping' },
    late: [(sim) => sim.polled(true), (sim) => sim.obsFail('StopStream', 501)],
    stops: { atStop: 1, afterEach: [1, 1] },
    sets: 1,
    starts: 1,
  },
];

describe('the user stops during a recovery', () => {
  it.each(STOP_ROWS)('$name', (row) => {
    const sim = liveWithoutSpare();
    const mark = sim.mark();
    row.reach(sim);
    sim.send({ type: 'user-stop' });
    expect(sim.s).toMatchObject(row.afterStop);
    expect(sim.obsCalls('StopStream', mark)).toHaveLength(row.stops.atStop);
    expect(sim.lastOf('persist-intent').intent.shouldBeLive).toBe(false);
    if (row.cancels) expect(sim.cancelled(row.cancels)).toBe(true);
    const lateMark = sim.mark();
    expect(row.stops.afterEach).toHaveLength(row.late.length);
    row.late.forEach((input, i) => {
      input(sim);
      expect(sim.obsCalls('StopStream', mark)).toHaveLength(row.stops.afterEach[i]!);
      if (i < row.late.length - 1) expect(sim.s).toMatchObject(row.afterStop);
    });
    expect(sim.kind).toBe('stopped-by-user');
    if (row.quiet) expect(sim.since(lateMark).filter((e) => e.kind !== 'log')).toEqual([]);
    expect(sim.obsCalls('SetStreamServiceSettings', mark)).toHaveLength(row.sets);
    expect(sim.obsCalls('StartStream', mark)).toHaveLength(row.starts);
    expect(sim.s.ctx.offAirSince).toBeNull();
  });
});

/** One row: the inputs that race (after `setup`), and what they add up to. */
interface TwoDetectionsRow {
  name: string;
  /** live with a spare, or without one (a recovery has to mint) */
  spare: boolean;
  setup: (sim: Sim) => void;
  input: (sim: Sim) => void;
  /** recoveries over the whole run (setup included), the rest counted from the end of `setup` */
  expected: { recoveries: number; stops?: number; mints?: number; startsOnceRecovered?: number };
}

const TWO_DETECTIONS: TwoDetectionsRow[] = [
  {
    name: 'RECONNECTING, a late absent poll and the STOPPED of our stop: one recovery, one stop, one URL',
    spare: true,
    setup: (sim) => {
      sim.advance(5_000).timer('poll');
      sim.polled(false); // 1 absent
      sim.advance(5_000).timer('poll');
    },
    input: (sim) => {
      const pollOp = sim.lastOf('poll-participants').opId;
      sim.obsState('RECONNECTING');
      sim.polled(false, pollOp); // would be the 2nd absent: from before the takeover, ignored
      sim.obsState('RECONNECTING');
      sim.obsState('STOPPING');
      sim.obsState('STOPPED');
    },
    expected: { recoveries: 1, stops: 1, mints: 0 /* the spare */, startsOnceRecovered: 1 },
  },
  {
    name: 'absent polls then STOPPED at the same instant: the second detection is absorbed',
    spare: false,
    setup: (sim) => {
      sim.advance(5_000).timer('poll');
      sim.polled(false);
      sim.advance(5_000).timer('poll');
    },
    input: (sim) => {
      sim.polled(false); // publisher-absent: recovery starts, StopStream sent
      sim.obsState('STOPPED'); // ours (a stop is out), not a second failure
    },
    expected: { recoveries: 1, mints: 1 },
  },
  {
    name: 'a disconnect during a recovery does not count a second recovery',
    spare: false,
    setup: () => {},
    input: (sim) => {
      sim.obsState('STOPPED');
      sim.send({ type: 'obs-disconnected', code: 1006 });
      sim.send({ type: 'obs-connected' });
      sim.status(false);
    },
    expected: { recoveries: 1 },
  },
];

describe('two detections at once give one recovery', () => {
  it.each(TWO_DETECTIONS)('$name', ({ spare, setup, input, expected }) => {
    const sim = spare ? new Sim().goLive() : liveWithoutSpare();
    setup(sim);
    const mark = sim.mark();
    input(sim);
    expect(sim.logs().filter((l) => l.recovery)).toHaveLength(expected.recoveries);
    if (expected.stops !== undefined) expect(sim.obsCalls('StopStream', mark)).toHaveLength(expected.stops);
    if (expected.mints !== undefined) expect(sim.count('mint', mark)).toBe(expected.mints);
    if (expected.startsOnceRecovered !== undefined) {
      sim.finishRecovery();
      expect(sim.obsCalls('StartStream', mark)).toHaveLength(expected.startsOnceRecovered);
    }
  });
});
