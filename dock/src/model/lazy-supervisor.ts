/**
 * The supervisor, loaded when the dock first needs it. The supervisor is a third of the dock's code, and a dock
 * that sits in OBS connected and not live never runs it. Its chunk is fetched on the first of:
 * - Go live, or resume (a stored intent to be live): both need the helper, which serves the chunk;
 * - an obs-websocket close that is not our own: the supervisor runs the one OBS reconnect loop. The runner,
 *   bound late, is told of that close (shared/obs-binding.ts) and schedules the retry as if it had seen it.
 * The service worker keeps the chunk like the page.
 *
 * Until then the handle is the idle supervisor: the idle snapshot, an empty log. A command given while the chunk
 * loads is kept (the newest wins; Stop drops it) and given to the supervisor once it is there. A chunk that cannot
 * be fetched for a command is said as the supervisor's failure, with the reason (Go live or Retry tries again);
 * for a close it is fetched again after a jittered backoff.
 */
import { fullJitterDelay, RECOVERY_BACKOFF } from '../../../shared/retry-policy.js';
import { createStore } from '../lib/store.js';
import type { SupervisorEnv, SupervisorFactory } from './create-model.js';
import { IDLE_SNAPSHOT, type SupervisorHandle } from './supervisor-port.js';

type Command = (s: SupervisorHandle) => void;

export function lazySupervisor(load: () => Promise<SupervisorFactory>): SupervisorFactory {
  return (env) => new LazySupervisor(env, load);
}

class LazySupervisor implements SupervisorHandle {
  private readonly store = createStore(IDLE_SNAPSHOT);
  private real: SupervisorHandle | undefined;
  private loading = false;
  private pending: Command | undefined;
  /** the command whose chunk could not be fetched: Retry gives it again; a new command or Stop drops it */
  private failed: Command | undefined;
  private disposed = false;
  private failures = 0;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private off: () => void;
  readonly getSnapshot = this.store.getSnapshot;
  readonly subscribe = this.store.subscribe;

  constructor(
    private readonly env: SupervisorEnv,
    private readonly load: () => Promise<SupervisorFactory>,
  ) {
    this.off = env.obs.on('closed', (e) => {
      if (e.classification !== 'normal') this.fetchChunk();
    });
  }

  goLive(channel: Parameters<SupervisorHandle['goLive']>[0]): void {
    this.command((s) => s.goLive(channel));
  }

  resume(channel: Parameters<SupervisorHandle['resume']>[0]): void {
    this.command((s) => s.resume(channel));
  }

  stop(): void {
    this.failed = undefined;
    if (this.real) this.real.stop();
    else this.pending = undefined;
  }

  retryNow(): void {
    if (this.real) return this.real.retryNow();
    if (this.failed) this.command(this.failed);
  }

  entries(n: number) {
    return this.real?.entries(n) ?? [];
  }

  exportLog(): string {
    return this.real?.exportLog() ?? '';
  }

  dispose(): void {
    this.disposed = true;
    this.pending = undefined;
    clearTimeout(this.retry);
    this.off();
    this.real?.dispose();
  }

  private command(run: Command): void {
    this.failed = undefined;
    if (this.real) return run(this.real);
    this.pending = run;
    this.fetchChunk();
  }

  private fetchChunk(): void {
    if (this.loading || this.real || this.disposed) return;
    clearTimeout(this.retry);
    this.loading = true;
    this.load().then(
      (factory) => this.loaded(factory),
      (err: unknown) => {
        this.loading = false;
        if (this.disposed) return;
        this.env.reportApiError(err);
        const reason = err instanceof Error ? err.message : String(err);
        if (!this.pending) {
          const ms = fullJitterDelay(++this.failures, this.env.random(), RECOVERY_BACKOFF) ?? RECOVERY_BACKOFF.capMs;
          console.warn(`[artc-ingest] could not load the supervisor (${reason}): trying again in ${ms} ms`);
          this.retry = setTimeout(() => this.fetchChunk(), ms);
          return;
        }
        // the command is not kept for a later fetch (a close's): it would go live long after the user saw it fail
        this.failed = this.pending;
        this.pending = undefined;
        const message = `could not load the supervisor from the helper (${reason}): Go live tries again`;
        this.store.set({
          ...IDLE_SNAPSHOT,
          at: this.env.now(),
          kind: 'failed',
          since: this.env.now(),
          reason: 'supervisor-load',
          lastError: { code: 'HelperUnreachable', message },
        });
      },
    );
  }

  private loaded(factory: SupervisorFactory): void {
    this.loading = false;
    if (this.disposed) return;
    this.off();
    const real = (this.real = factory(this.env));
    this.off = real.subscribe(() => this.store.set(real.getSnapshot()));
    this.store.set(real.getSnapshot());
    const run = this.pending;
    this.pending = undefined;
    run?.(real);
  }
}
