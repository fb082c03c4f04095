/** The five channel fields, validated as you type with the shared zod schemas (aria-invalid + aria-describedby). */
import { translateValidation, type MessageKey } from '../../i18n/index.js';
import { FIELDS, type FieldName } from '../../model/channel-form.js';
import { useDock, useModel, useT } from '../context.js';
import './style.css';

export const FIELD_LABEL: Record<FieldName, MessageKey> = {
  appId: 'field.appId',
  channelId: 'field.channelId',
  userId: 'field.userId',
  displayName: 'field.displayName',
  expireTime: 'field.expireTime',
};

export function ChannelForm({ disabled }: { disabled?: boolean }) {
  return (
    <div class="channel-form">
      {FIELDS.map((name) => (
        <Field key={name} name={name} disabled={disabled} />
      ))}
    </div>
  );
}

function Field({ name, disabled }: { name: FieldName; disabled?: boolean | undefined }) {
  const model = useModel();
  const { form, lang } = useDock();
  const t = useT();
  const id = `field-${name}`;
  const label = t(FIELD_LABEL[name]);
  const error = form.touched[name] ? form.errors[name] : undefined;
  const hintId = name === 'expireTime' ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="text"
        inputMode={name === 'expireTime' ? 'numeric' : undefined}
        autoComplete="off"
        spellcheck={false}
        value={form.values[name]}
        disabled={disabled}
        aria-invalid={error ? 'true' : 'false'}
        aria-describedby={describedBy}
        onInput={(e) => model.setField(name, e.currentTarget.value)}
      />
      {error && (
        <p id={errorId} class="field-error">
          {translateValidation(lang, error, label)}
        </p>
      )}
      {hintId && (
        <p id={hintId} class="field-hint">
          {t('field.expireTime.hint')}
        </p>
      )}
    </div>
  );
}
