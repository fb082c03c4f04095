/**
 * The supervisor published a snapshot: the dock shows it as it is, keeps its recent log, derives the lease
 * status and the last error, and puts the supervisor's next obs-websocket reconnect (the one reconnect loop)
 * by the OBS fields as their countdown.
 */
import type { ModelStore } from './model-store.js';
import { isSupervising } from './selectors.js';
import type { DockState } from './state.js';
import type { Snapshot, SupervisorHandle } from './supervisor-port.js';

/** Entries kept in the view (the export has the whole ring). */
const VIEW_LOG_ENTRIES = 50;

export function syncLive({ store, get, patch }: ModelStore, supervisor: SupervisorHandle, snap: Snapshot): void {
  const prev = get().live;
  const next: Partial<DockState> = { live: snap, log: supervisor.entries(VIEW_LOG_ENTRIES) };
  if (snap.lastError && snap.lastError !== prev.lastError) next.lastError = { ...snap.lastError, retryable: false };
  next.lease = snap.supervisedBy
    ? { status: 'other', holder: snap.supervisedBy }
    : { status: isSupervising({ ...get(), live: snap }) ? 'held' : 'none' };
  store.update(next);
  const nextTryAt = snap.obs.reconnectAt ?? undefined;
  if (get().obs.nextTryAt !== nextTryAt) patch('obs', { nextTryAt });
}
