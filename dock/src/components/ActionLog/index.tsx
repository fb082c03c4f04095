/** The recent action-log entries (newest first) and an Export of the whole log as JSON lines. */
import { formatClock } from '../../lib/format.js';
import { downloadText } from '../../lib/download.js';
import { useDock, useModel, useT } from '../context.js';
import './style.css';

const SHOWN = 30;

export function ActionLog({ download = downloadText }: { download?: (name: string, text: string) => void }) {
  const model = useModel();
  const { log } = useDock();
  const t = useT();
  const recent = log.slice(-SHOWN).reverse();
  return (
    <div class="action-log">
      <button
        type="button"
        disabled={log.length === 0}
        onClick={() =>
          download(
            `artc-ingest-log-${new Date(model.now()).toISOString().replace(/[:.]/g, '-')}.jsonl`,
            model.exportLog(),
          )
        }
      >
        {t('log.export')}
      </button>
      {recent.length === 0 ? (
        <p class="log-empty">{t('log.empty')}</p>
      ) : (
        <ol class="log-list">
          {recent.map((e, i) => (
            <li key={`${e.at}-${i}`} class={`log-${e.level}`}>
              <time>{formatClock(e.at)}</time> <span class="log-reason">{e.reason}</span> {e.message}
              {e.error && (
                <span class="log-error">
                  {' '}
                  [{e.error.code}
                  {e.error.requestId ? ` ${e.error.requestId}` : ''}]
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
