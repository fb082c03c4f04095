/**
 * Go live and Stop as the user means them: one click from whatever state the OBS connection is in. Go live aims
 * the connection at the OBS fields as they are now and hands the channel to the supervisor, whose `connecting`
 * state waits for OBS; the user's intent is kept while OBS refuses (a wrong password, 4009): the dock says why
 * next to the OBS fields and goes on by itself once the fixed values connect. Stop drops the intent.
 */
import type { ChannelSettings } from '../../../shared/api-routes.js';
import type { ObsClient } from '../../../shared/obs-client.js';
import type { ApiClient } from '../api/client.js';
import { toDockError, type DockError } from '../api/errors.js';
import type { Store } from '../lib/store.js';
import type { ObsLink } from './obs-link.js';
import { canGoLive, isSupervising } from './selectors.js';
import type { DockState } from './state.js';
import type { Snapshot, SupervisorHandle } from './supervisor-port.js';

export interface GoLiveDeps {
  store: Store<DockState>;
  api: ApiClient;
  obs: Pick<ObsClient, 'call' | 'on'>;
  obsLink: ObsLink;
  supervisor: SupervisorHandle;
  /** the channel from the form, or undefined (the form then shows its errors) */
  channel: () => ChannelSettings | undefined;
  /** a helper call failed: the model checks whether the helper went away */
  report: (err: unknown) => void;
}

export interface GoLive {
  goLive(): Promise<void>;
  stop(): Promise<void>;
  /** the supervisor published a new view */
  onView(view: Snapshot): void;
  dispose(): void;
}

/** The supervisor gave up because obs-websocket refused or closed for a reason a retry cannot fix. */
const obsRefused = (view: Snapshot) => view.kind === 'failed' && /^ObsClose/.test(view.lastError?.code ?? '');

export function createGoLive(deps: GoLiveDeps): GoLive {
  const { store, supervisor } = deps;
  const get = store.getSnapshot;
  /** what the user asked to be live (until Stop), and whether it went live once (then a comeback resumes) */
  let wanted: { channel: ChannelSettings; wentLive: boolean } | undefined;

  const offConnected = deps.obs.on('connected', () => {
    if (!wanted || !get().goPending || isSupervising(get())) return;
    store.update({ goPending: false, notice: undefined });
    if (wanted.wentLive) supervisor.resume(wanted.channel);
    else supervisor.goLive(wanted.channel);
  });

  async function goLive(): Promise<void> {
    if (!canGoLive(get())) return;
    const channel = deps.channel();
    if (!channel) return void store.update({ notice: 'go.fixFields' });
    store.update({ notice: undefined, lastError: undefined, goPending: false });
    // the typed URL and password, connected (or connecting) before the supervisor asks for OBS
    if (!(await deps.obsLink.connect())) return void store.update({ notice: 'go.fixObsUrl' });
    wanted = { channel, wentLive: false };
    supervisor.goLive(channel);
  }

  async function stop(): Promise<void> {
    const s = get();
    wanted = undefined;
    store.update({ notice: undefined, goPending: false });
    if (s.lease.status === 'other') {
      // another instance supervises this OBS: do not touch OBS, only say the intent (its holder reconciles)
      await putIntentOff();
      return;
    }
    if (isSupervising(s)) return supervisor.stop();
    // not supervised (e.g. started from OBS's own button): just stop OBS's stream
    await putIntentOff();
    try {
      await deps.obs.call('StopStream');
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code !== 501) store.update({ lastError: obsError(err) }); // 501 OutputNotRunning: already stopped
    }
  }

  async function putIntentOff(): Promise<void> {
    try {
      await deps.api.call('putIntent', { shouldBeLive: false, by: 'dock' });
    } catch (err) {
      store.update({ lastError: toDockError(err) });
      deps.report(err);
    }
  }

  function onView(view: Snapshot): void {
    if (!wanted) return;
    if (view.kind === 'live') wanted.wentLive = true;
    if (obsRefused(view)) return void store.update({ goPending: true, notice: 'go.waitingObs' });
    // any other end (the user's Stop in OBS, a lease held elsewhere, a start that failed) is for the user to act on
    if (view.kind === 'failed' || view.kind === 'stopped-by-user') wanted = undefined;
  }

  return { goLive, stop, onView, dispose: offConnected };
}

function obsError(err: unknown): DockError {
  const e = err as { code?: unknown; message?: unknown };
  return {
    code: typeof e.code === 'number' ? `OBS-${e.code}` : 'OBS',
    message: String(e.message ?? err),
    retryable: false,
  };
}
