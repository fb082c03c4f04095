/**
 * The live status, always on top: state, recovery countdown, uptime, bitrate, frames, congestion, URL expiry,
 * presence, counters and the last error with its Code and RequestId. A polite live region announces state
 * and error changes; the per-second numbers sit in an aria-live="off" part so they are not read every second.
 * It reads the supervisor's Snapshot (`live`) as the supervisor publishes it.
 */
import { isMessageKey, type Translate } from '../../i18n/index.js';
import { formatBitrate, formatDuration, formatFrames, formatPercent, secondsUntil } from '../../lib/format.js';
import { useTick } from '../../lib/store.js';
import type { DockError } from '../../api/errors.js';
import { offAirMs, uptimeMs } from '../../model/selectors.js';
import type { DockState } from '../../model/state.js';
import { useDock, useModel, useT } from '../context.js';
import './style.css';

export function StatusPanel() {
  const model = useModel();
  const s = useDock();
  const t = useT();
  useTick(1000);
  const now = model.now();
  return (
    <section class="status-panel" role="status" aria-live="polite" aria-label={t('status.title')}>
      <StateHead s={s} now={now} t={t} />
      <Figures s={s} now={now} t={t} />
      <Presence s={s} t={t} />
      {s.lastError && <ErrorBox err={s.lastError} t={t} />}
    </section>
  );
}

interface Part {
  s: DockState;
  now: number;
  t: Translate;
}

function StateHead({ s: { live }, now, t }: Part) {
  const stateKey = `state.${live.kind}`;
  const recovering = live.kind === 'recovering';
  return (
    <>
      <div class="status-head">
        <span class={`state state-${live.kind}`} data-state={live.kind}>
          {isMessageKey(stateKey) ? t(stateKey) : live.kind}
        </span>
        {recovering && live.nextTryAt !== null && (
          <span class="recovery" aria-live="off">
            {t('status.recovery', { s: secondsUntil(live.nextTryAt, now), n: live.attempt ?? 1 })}
          </span>
        )}
      </div>
      {recovering && live.reason && (
        <p class="status-reason">
          {t('status.reason')}: <code>{live.reason}</code>
        </p>
      )}
    </>
  );
}

function Figures({ s, now, t }: Part) {
  const { live, stats } = s;
  const uptime = uptimeMs(s, now);
  const expiry = live.url
    ? live.url.expiresAt > now
      ? formatDuration(secondsUntil(live.url.expiresAt, now) * 1000)
      : t('status.expired')
    : '-';
  return (
    <dl class="status-grid" aria-live="off">
      <dt>{t('status.uptime')}</dt>
      <dd>{uptime === undefined ? '-' : formatDuration(uptime)}</dd>
      <dt>{t('status.bitrate')}</dt>
      <dd>{formatBitrate(stats.bitrateKbps)}</dd>
      <dt>{t('status.frames')}</dt>
      <dd>
        {formatFrames(stats.droppedFrames, stats.totalFrames)} / {stats.skippedFrames ?? '-'}
      </dd>
      <dt>{t('status.congestion')}</dt>
      <dd>{formatPercent(stats.congestion)}</dd>
      <dt>{t('status.expiry')}</dt>
      <dd data-testid="url-expiry">{expiry}</dd>
      <dt>{t('status.offAir')}</dt>
      <dd>{formatDuration(offAirMs(s, now))}</dd>
    </dl>
  );
}

function Presence({ s: { live }, t }: Omit<Part, 'now'>) {
  const recoveries = Object.entries(live.counters.recoveriesByReason);
  const total = recoveries.reduce((n, [, c]) => n + c, 0);
  const presence = live.presence.status;
  return (
    <dl class="status-grid">
      <dt>{t('status.presence')}</dt>
      <dd class={`presence-${presence}`}>{t(`presence.${presence}`)}</dd>
      <dt>{t('status.recoveries')}</dt>
      <dd>
        {total}
        {recoveries.length > 0 && <span class="faint"> ({recoveries.map(([r, c]) => `${r} ${c}`).join(', ')})</span>}
      </dd>
    </dl>
  );
}

function ErrorBox({ err, t }: { err: DockError; t: Translate }) {
  return (
    <div class="status-error">
      <p class="status-error-title">{t('status.error')}</p>
      <p class="status-error-message">{err.message}</p>
      <p>
        {t('status.code')}: <code>{err.code}</code>
      </p>
      {err.requestId && (
        <p>
          {t('status.requestId')}: <code class="select">{err.requestId}</code>
        </p>
      )}
    </div>
  );
}
