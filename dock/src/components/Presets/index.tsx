/** Saved channel setups: select one, save, save as, rename, delete. Persisted by the model (helper + localStorage). */
import { useState } from 'preact/hooks';
import { useDock, useModel, useT } from '../context.js';
import './style.css';

type Mode = { kind: 'none' } | { kind: 'save-as' } | { kind: 'rename'; id: string };

export function Presets({ disabled }: { disabled?: boolean }) {
  const model = useModel();
  const { presets } = useDock();
  const t = useT();
  const [mode, setMode] = useState<Mode>({ kind: 'none' });
  const [name, setName] = useState('');
  const selected = presets.list.find((p) => p.id === presets.selectedId);

  const open = (next: Mode, initial: string) => {
    setMode(next);
    setName(initial);
  };
  const submit = (e: Event) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    if (mode.kind === 'save-as') model.saveAsPreset(trimmed);
    if (mode.kind === 'rename') model.renamePreset(mode.id, trimmed);
    setMode({ kind: 'none' });
  };

  return (
    <div class="presets">
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
      {mode.kind === 'none' ? (
        <div class="presets-actions">
          <button type="button" disabled={disabled || !selected} onClick={() => model.savePreset()}>
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
            disabled={disabled || !selected}
            onClick={() => selected && open({ kind: 'rename', id: selected.id }, selected.name)}
          >
            {t('presets.rename')}
          </button>
          <button
            type="button"
            class="danger-text"
            disabled={disabled || !selected}
            onClick={() => selected && model.deletePreset(selected.id)}
          >
            {t('presets.delete')}
          </button>
        </div>
      ) : (
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
            <button type="button" onClick={() => setMode({ kind: 'none' })}>
              {t('presets.cancel')}
            </button>
          </div>
        </form>
      )}
      {presets.error && (
        <p class="presets-error" role="alert">
          {presets.error.code === 'InvalidForm'
            ? t('presets.invalid')
            : t('presets.saveFailed', { message: presets.error.message })}
        </p>
      )}
    </div>
  );
}
