/** How components reach the model: one context, read with small hooks. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { translate, type MessageKey, type Translate, type Vars } from '../i18n/index.js';
import { useStore } from '../lib/store.js';
import type { DockModel, DockState } from '../model/types.js';

export const ModelContext = createContext<DockModel | null>(null);

export function useModel(): DockModel {
  const model = useContext(ModelContext);
  if (!model) throw new Error('ModelContext is missing: render components inside <App model={...}>');
  return model;
}

export function useDock(): DockState {
  return useStore(useModel().store);
}

export function useT(): Translate {
  const { lang } = useDock();
  return (key: MessageKey, vars?: Vars) => translate(lang, key, vars);
}
