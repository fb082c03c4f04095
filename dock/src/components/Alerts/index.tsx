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

export function Alerts({ api, t }: AlertsProps) {
  const [url, setUrl] = useState('');
  const [format, setFormat] = useState<Format>('auto');
  const [secret, setSecret] = useState('');
  const [hasSecret, setHasSecret] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const apply = (s: AlertSettingsBody) => {
    setUrl(s.webhookUrl);
    setFormat(s.format);
    setHasSecret(s.hasSecret === true);
    setSecret('');
  };
  useEffect(() => {
    api
      .call('getAlerts')
      .then(apply, (e: unknown) => setNote({ ok: false, text: t('alerts.error', { message: errText(e) }) }));
  }, [api]);

  async function run(test: boolean) {
    setBusy(true);
    setNote(null);
    try {
      apply(await api.call('putAlerts', { webhookUrl: url.trim(), format, ...(secret ? { secret } : {}) }));
      if (!test) return setNote({ ok: true, text: t('alerts.saved') });
      const { results } = await api.call('testAlert');
      if (!results.length) return setNote({ ok: false, text: t('alerts.none') });
      const failed = results.filter((r) => !r.ok);
      setNote({
        ok: failed.length === 0,
        text: results.map((r) => `${r.target}: ${r.ok ? t('alerts.delivered') : r.detail}`).join('; '),
      });
    } catch (e) {
      setNote({ ok: false, text: t('alerts.error', { message: errText(e) }) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <details class="alerts">
      <summary>{t('section.alerts')}</summary>
      <label>
        {t('alerts.webhook')}
        <input
          type="url"
          value={url}
          placeholder="https://oapi.dingtalk.com/robot/send?access_token=…"
          onInput={(e) => setUrl(e.currentTarget.value)}
        />
      </label>
      <label>
        {t('alerts.format')}
        <select value={format} onChange={(e) => setFormat(e.currentTarget.value as Format)}>
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
          value={secret}
          placeholder={hasSecret ? t('alerts.secretSet') : ''}
          onInput={(e) => setSecret(e.currentTarget.value)}
        />
      </label>
      <div class="alerts-actions">
        <button type="button" disabled={busy} onClick={() => void run(false)}>
          {t('alerts.save')}
        </button>
        <button type="button" disabled={busy || !url.trim()} onClick={() => void run(true)}>
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
