/** The dock's one store and the two ways the model pieces write it: a whole-state patch or one section's fields. */
import { createStore, type Store } from '../lib/store.js';
import type { DockState } from './state.js';

type Section = 'helper' | 'form' | 'presets' | 'obs' | 'lease';

export interface ModelStore {
  store: Store<DockState>;
  get: () => DockState;
  /** merges `p` into one section of the state */
  patch: <K extends Section>(key: K, p: Partial<DockState[K]>) => void;
}

export function createModelStore(initial: DockState): ModelStore {
  const store = createStore<DockState>(initial);
  const get = store.getSnapshot;
  const patch = <K extends Section>(key: K, p: Partial<DockState[K]>) =>
    store.update({ [key]: { ...get()[key], ...p } } as Partial<DockState>);
  return { store, get, patch };
}
