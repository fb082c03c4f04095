/**
 * The dock's Alerts section: the webhook URL, its format, the signing secret (DingTalk/Feishu) and "Send test
 * alert". Self-contained: it talks to the helper through the API client it is given (GET/PUT /api/alerts,
 * POST /api/alerts/test); the helper keeps the settings (alerts.json) and is authoritative. The secret is
 * write-only: the helper never sends it back, the field only says whether one is stored.
 */
import { useEffect, useState } from 'preact/hooks';
import type { AlertSettingsBody } from '../../../../shared/api-routes.js';
import type { ApiClient } from '../../api/client.js';
import type { Translate } from '../../i18n/index.js';
import './style.css';

const FORMATS = ['auto', 'json', 'dingtalk', 'feishu', 'slack', 'discord'] as const;
type Format = (typeof FORMATS)[number];

export interface AlertsProps {
  api: Pick<ApiClient, 'call'>;
  t: Translate;
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

interface Fields {
  url: string;
  format: Format;
  secret: string;
  hasSecret: boolean;
}

const EMPTY: Fields = { url: '', format: 'auto', secret: '', hasSecret: false };
const fromSettings = (s: AlertSettingsBody): Fields => ({
  url: s.webhookUrl,
  format: s.format,
  secret: '',
  hasSecret: s.hasSecret === true,
});

export function Alerts({ api, t }: AlertsProps) {
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const fail = (e: unknown) => setNote({ ok: false, text: t('alerts.error', { message: errText(e) }) });

  useEffect(() => {
    api.call('getAlerts').then((s) => setFields(fromSettings(s)), fail);
  }, [api]);

  async function run(test: boolean) {
    setBusy(true);
    setNote(null);
    try {
      const body = {
        webhookUrl: fields.url.trim(),
        format: fields.format,
        ...(fields.secret ? { secret: fields.secret } : {}),
      };
      setFields(fromSettings(await api.call('putAlerts', body)));
      setNote(test ? await sendTest(api, t) : { ok: true, text: t('alerts.saved') });
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <details class="alerts">
      <summary>{t('section.alerts')}</summary>
      <AlertFields fields={fields} set={(p) => setFields((f) => ({ ...f, ...p }))} t={t} />
      <div class="alerts-actions">
        <button type="button" disabled={busy} onClick={() => void run(false)}>
          {t('alerts.save')}
        </button>
        <button type="button" disabled={busy || !fields.url.trim()} onClick={() => void run(true)}>
          {t('alerts.test')}
        </button>
      </div>
      {/* aria-live, not role="status": the dock has one status region (its contract), the live status panel */}
      {note && (
        <p class={note.ok ? 'alerts-note' : 'alerts-note error'} aria-live="polite">
          {note.text}
        </p>
      )}
    </details>
  );
}

/** Asks the helper to post a test alert to every configured webhook; the note says how each one went. */
async function sendTest(api: AlertsProps['api'], t: Translate): Promise<{ ok: boolean; text: string }> {
  const { results } = await api.call('testAlert');
  if (!results.length) return { ok: false, text: t('alerts.none') };
  const ok = results.every((r) => r.ok);
  return { ok, text: results.map((r) => `${r.target}: ${r.ok ? t('alerts.delivered') : r.detail}`).join('; ') };
}

function AlertFields({ fields, set, t }: { fields: Fields; set: (p: Partial<Fields>) => void; t: Translate }) {
  return (
    <>
      <label>
        {t('alerts.webhook')}
        <input
          type="url"
          value={fields.url}
          placeholder="https://oapi.dingtalk.com/robot/send?access_token=…"
          onInput={(e) => set({ url: e.currentTarget.value })}
        />
      </label>
      <label>
        {t('alerts.format')}
        <select value={fields.format} onChange={(e) => set({ format: e.currentTarget.value as Format })}>
          {FORMATS.map((f) => (
            <option key={f} value={f}>
              {f === 'auto' ? t('alerts.formatAuto') : f}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('alerts.secret')}
        <input
          type="password"
          autocomplete="off"
          value={fields.secret}
          placeholder={fields.hasSecret ? t('alerts.secretSet') : ''}
          onInput={(e) => set({ secret: e.currentTarget.value })}
        />
      </label>
    </>
  );
}
