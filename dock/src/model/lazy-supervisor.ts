/**
 * The supervisor, loaded when the dock first needs it. The supervisor is a third of the dock's code, and a dock
 * that sits in OBS connected and not live never runs it. Its chunk is fetched on the first of:
 * - Go live, or resume (a stored intent to be live): both need the helper, which serves the chunk;
 * - an obs-websocket close that is not our own: the supervisor runs the one OBS reconnect loop. The runner,
 *   bound late, is told of that close (shared/obs-binding.ts) and schedules the retry as if it had seen it.
 * The service worker keeps the chunk like the page (dock/public/sw.js precaches every asset).
 *
 * While the chunk loads for a command, the handle says `connecting` (Go live is locked, Stop is offered) and keeps
 * the commands in order, Stop included: the supervisor gets exactly the sequence the user gave, so a Stop during
 * the load ends in what it would have without the load. A chunk that does not come (error, or no answer within
 * LOAD_DEADLINE_MS) is said as the supervisor's failure, with the reason; the commands are dropped (the user saw
 * them fail; a Stop among them still turns the intent off). When the OBS link is down and needs the reconnect loop,
 * the chunk is fetched again after a jittered backoff. See `PageReload` for why a try after a failure reloads the
 * page instead.
 */
import { withDeadline } from '../../../shared/deadline.js';
import { fullJitterDelay, RECOVERY_BACKOFF } from '../../../shared/retry-policy.js';
import { createStore } from '../lib/store.js';
import type { SupervisorEnv, SupervisorFactory } from './create-model.js';
import { IDLE_SNAPSHOT, type SupervisorHandle } from './supervisor-port.js';

export const LOAD_DEADLINE_MS = 15_000;
/** A reload nobody asked for (the OBS link's retry) at most this often per tab: a broken chunk cannot loop. */
export const AUTO_RELOAD_MIN_MS = 5 * 60_000;

/**
 * Chromium remembers a module that failed to load for the page's life (whatwg/html#6768; OBS's Chromium 103 does):
 * a second `import()` of the chunk fails at once, without asking the network. So once a load failed, the next try
 * reloads the page instead, when the helper answers (the reloaded dock comes back with its draft, presets and the
 * helper's intent): at once for a user's command, at most every AUTO_RELOAD_MIN_MS for the OBS link's retry.
 */
export interface PageReload {
  helperAnswers(): Promise<boolean>;
  reload(): void;
  /** ms since this tab last reloaded for this, undefined if it never did */
  sinceLastReload(): number | undefined;
}

interface Command {
  run: (s: SupervisorHandle) => void;
  stop?: true;
}

export function lazySupervisor(load: () => Promise<SupervisorFactory>, page?: PageReload): SupervisorFactory {
  return (env) => new LazySupervisor(env, load, page);
}

class LazySupervisor implements SupervisorHandle {
  private readonly store = createStore(IDLE_SNAPSHOT);
  private real: SupervisorHandle | undefined;
  private loading = false;
  private queue: Command[] = [];
  private disposed = false;
  private failures = 0;
  private failedOnce = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private off: () => void;
  readonly getSnapshot = this.store.getSnapshot;
  readonly subscribe = this.store.subscribe;

  constructor(
    private readonly env: SupervisorEnv,
    private readonly load: () => Promise<SupervisorFactory>,
    private readonly page?: PageReload,
  ) {
    this.off = env.obs.on('closed', (e) => {
      if (e.classification !== 'normal') this.fetchChunk(false);
    });
  }

  goLive(channel: Parameters<SupervisorHandle['goLive']>[0]): void {
    this.command({ run: (s) => s.goLive(channel) }, 'go-live');
  }

  resume(channel: Parameters<SupervisorHandle['resume']>[0]): void {
    this.command({ run: (s) => s.resume(channel) }, 'reconcile');
  }

  stop(): void {
    if (this.real) this.real.stop();
    else if (this.queue.length) this.queue.push({ run: (s) => s.stop(), stop: true });
  }

  retryNow(): void {
    this.real?.retryNow();
  }

  entries(n: number) {
    return this.real?.entries(n) ?? [];
  }

  exportLog(): string {
    return this.real?.exportLog() ?? '';
  }

  dispose(): void {
    this.disposed = true;
    this.queue = [];
    clearTimeout(this.retry);
    this.off();
    this.real?.dispose();
  }

  private command(c: Command, reason: 'go-live' | 'reconcile'): void {
    if (this.real) return c.run(this.real);
    this.queue.push(c);
    const now = this.env.now();
    this.store.set({ ...IDLE_SNAPSHOT, at: now, kind: 'connecting', since: now, reason, locked: true });
    this.fetchChunk(true);
  }

  private fetchChunk(forCommand: boolean): void {
    if (this.loading || this.real || this.disposed) return;
    clearTimeout(this.retry);
    this.loading = true;
    withDeadline(this.reloadOrLoad(forCommand), LOAD_DEADLINE_MS, `no answer within ${LOAD_DEADLINE_MS / 1000} s`).then(
      (factory) => this.loaded(factory),
      (err: unknown) => this.loadFailed(err),
    );
  }

  private async reloadOrLoad(forCommand: boolean): Promise<SupervisorFactory> {
    const page = this.page;
    const since = page?.sinceLastReload();
    const mayReload = forCommand || since === undefined || since >= AUTO_RELOAD_MIN_MS;
    if (this.failedOnce && page && mayReload) {
      if (!(await page.helperAnswers())) throw new Error('the helper does not answer');
      page.reload();
      return new Promise<SupervisorFactory>(() => undefined); // the page goes away
    }
    return this.load();
  }

  private loaded(factory: SupervisorFactory): void {
    this.loading = false;
    if (this.disposed) return;
    let real: SupervisorHandle;
    try {
      real = factory(this.env);
    } catch (err) {
      return this.loadFailed(err);
    }
    this.off();
    this.real = real;
    this.off = real.subscribe(() => this.store.set(real.getSnapshot()));
    this.store.set(real.getSnapshot());
    for (const c of this.queue.splice(0)) c.run(real);
  }

  private loadFailed(err: unknown): void {
    this.loading = false;
    if (this.disposed) return;
    this.failedOnce = true;
    this.env.reportApiError(err);
    const reason = err instanceof Error ? err.message : String(err);
    const commands = this.queue.splice(0);
    const now = this.env.now();
    if (commands.some((c) => c.stop)) {
      // the user stopped while it loaded: nothing was started; the intent (a resume's) is turned off all the same
      this.store.set(IDLE_SNAPSHOT);
      this.env.api.call('putIntent', { shouldBeLive: false, by: 'dock' }).catch(this.env.reportApiError);
    } else if (commands.length) {
      const message = `could not load the supervisor from the helper (${reason}): Go live reloads the dock, then press it again`;
      const lastError = { code: 'HelperUnreachable', message };
      this.store.set({ ...IDLE_SNAPSHOT, at: now, kind: 'failed', since: now, reason: 'supervisor-load', lastError });
    }
    const last = this.env.obs.lastClose;
    if (this.env.obs.state !== 'idle' || !last || last.classification === 'normal') return;
    // the OBS link is down and only the supervisor retries it: fetch again after a backoff
    const ms = fullJitterDelay(++this.failures, this.env.random(), RECOVERY_BACKOFF) ?? RECOVERY_BACKOFF.capMs;
    console.warn(`[artc-ingest] could not load the supervisor (${reason}): trying again in ${ms} ms`);
    this.retry = setTimeout(() => this.fetchChunk(false), ms);
  }
}
