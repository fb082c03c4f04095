/** Go live / Stop, and Retry now while recovering. Go live stays locked until the start's outcome is known. */
import { canGoLive, canRetryNow, canStop, isStarting } from '../../model/selectors.js';
import { useDock, useModel, useT } from '../context.js';
import './style.css';

export function GoLive() {
  const model = useModel();
  const state = useDock();
  const t = useT();
  const starting = isStarting(state);
  return (
    <div class="go-live">
      <div class="go-live-buttons">
        <button
          type="button"
          class="primary go"
          disabled={!canGoLive(state)}
          aria-busy={starting}
          onClick={() => void model.goLive()}
        >
          {t('go.live')}
        </button>
        <button type="button" class="danger stop" disabled={!canStop(state)} onClick={() => void model.stop()}>
          {t('go.stop')}
        </button>
      </div>
      {canRetryNow(state) && (
        <button type="button" class="retry" onClick={() => model.retryNow()}>
          {t('go.retryNow')}
        </button>
      )}
      {starting && <p class="go-note">{t('go.starting')}</p>}
      {state.lease.status === 'other' && (
        <p class="go-note warn">{t('go.other', { holder: state.lease.holder ?? '?' })}</p>
      )}
      {state.notice && <p class="go-note warn">{t(state.notice)}</p>}
    </div>
  );
}
