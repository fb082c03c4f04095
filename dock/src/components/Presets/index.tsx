/** Saved channel setups: select one, save, save as, rename, delete. Persisted by the model (helper + localStorage). */
import { useState } from 'preact/hooks';
import type { Preset } from '../../../../shared/api-routes.js';
import type { DockState } from '../../model/state.js';
import { useDock, useModel, useT } from '../context.js';
import './style.css';

type Mode = { kind: 'none' } | { kind: 'save-as' } | { kind: 'rename'; id: string };

export function Presets({ disabled }: { disabled?: boolean }) {
  const { presets } = useDock();
  const [mode, setMode] = useState<Mode>({ kind: 'none' });
  const [name, setName] = useState('');
  const selected = presets.list.find((p) => p.id === presets.selectedId);
  const open = (next: Mode, initial: string) => {
    setMode(next);
    setName(initial);
  };
  return (
    <div class="presets">
      <PresetSelect presets={presets} selected={selected} disabled={disabled} />
      {mode.kind === 'none' ? (
        <PresetActions selected={selected} disabled={disabled} open={open} />
      ) : (
        <NameForm mode={mode} name={name} setName={setName} done={() => setMode({ kind: 'none' })} />
      )}
      <PresetError presets={presets} />
    </div>
  );
}

interface SelectProps {
  presets: DockState['presets'];
  selected: Preset | undefined;
  disabled?: boolean | undefined;
}

function PresetSelect({ presets, selected, disabled }: SelectProps) {
  const model = useModel();
  const t = useT();
  return (
    <div class="presets-row">
      <label for="preset-select">{t('presets.label')}</label>
      <select
        id="preset-select"
        value={presets.selectedId ?? ''}
        disabled={disabled}
        onChange={(e) => e.currentTarget.value && model.selectPreset(e.currentTarget.value)}
      >
        {!selected && <option value="">{t('presets.none')}</option>}
        {presets.list.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </div>
  );
}

interface ActionsProps {
  selected: Preset | undefined;
  disabled?: boolean | undefined;
  open: (mode: Mode, initial: string) => void;
}

function PresetActions({ selected, disabled, open }: ActionsProps) {
  const model = useModel();
  const t = useT();
  const none = disabled || !selected;
  return (
    <div class="presets-actions">
      <button type="button" disabled={none} onClick={() => model.savePreset()}>
        {t('presets.save')}
      </button>
      <button
        type="button"
        disabled={disabled}
        onClick={() => open({ kind: 'save-as' }, selected ? `${selected.name} 2` : '')}
      >
        {t('presets.saveAs')}
      </button>
      <button
        type="button"
        disabled={none}
        onClick={() => selected && open({ kind: 'rename', id: selected.id }, selected.name)}
      >
        {t('presets.rename')}
      </button>
      <button
        type="button"
        class="danger-text"
        disabled={none}
        onClick={() => selected && model.deletePreset(selected.id)}
      >
        {t('presets.delete')}
      </button>
    </div>
  );
}

interface NameFormProps {
  mode: Exclude<Mode, { kind: 'none' }>;
  name: string;
  setName: (name: string) => void;
  done: () => void;
}

function NameForm({ mode, name, setName, done }: NameFormProps) {
  const model = useModel();
  const t = useT();
  const submit = (e: Event) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    if (mode.kind === 'save-as') model.saveAsPreset(trimmed);
    else model.renamePreset(mode.id, trimmed);
    done();
  };
  return (
    <form class="presets-name" onSubmit={submit}>
      <label for="preset-name">{t('presets.name')}</label>
      <input
        id="preset-name"
        type="text"
        maxLength={64}
        value={name}
        autoFocus
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <div class="presets-actions">
        <button type="submit" class="primary" disabled={!name.trim()}>
          {t('presets.ok')}
        </button>
        <button type="button" onClick={done}>
          {t('presets.cancel')}
        </button>
      </div>
    </form>
  );
}

function PresetError({ presets }: { presets: DockState['presets'] }) {
  const t = useT();
  if (!presets.error) return null;
  return (
    <p class="presets-error" role="alert">
      {presets.error.code === 'InvalidForm'
        ? t('presets.invalid')
        : t('presets.saveFailed', { message: presets.error.message })}
    </p>
  );
}
