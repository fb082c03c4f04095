/** The ingest Server and the Stream key, masked until Reveal; Copy puts the full key on the clipboard. */
import { useState } from 'preact/hooks';
import { maskStreamKey } from '../../../../shared/rtmp-address.js';
import { copyText } from '../../lib/download.js';
import { useDock, useT } from '../context.js';
import './style.css';

export function StreamKey({ copy = copyText }: { copy?: (text: string) => Promise<boolean> }) {
  const { live } = useDock();
  const t = useT();
  const [revealed, setRevealed] = useState(false);
  const [copied, setCopied] = useState<boolean | undefined>(undefined);
  const url = live.url;
  if (!url) return <p class="stream-none">{t('stream.none')}</p>;
  return (
    <div class="stream-key">
      <div class="kv">
        <span class="k">{t('stream.server')}</span>
        <code class="v select">{url.server}</code>
      </div>
      <div class="kv">
        <span class="k">{t('stream.key')}</span>
        <code class="v" data-testid="stream-key">
          {revealed ? url.streamKey : maskStreamKey(url.streamKey)}
        </code>
      </div>
      <div class="stream-actions">
        <button type="button" aria-pressed={revealed} onClick={() => setRevealed(!revealed)}>
          {revealed ? t('stream.hide') : t('stream.reveal')}
        </button>
        <button
          type="button"
          onClick={async () => {
            setCopied(await copy(url.streamKey));
          }}
        >
          {t('stream.copy')}
        </button>
        {copied !== undefined && (
          <span class={copied ? 'ok' : 'warn'}>{copied ? t('stream.copied') : t('stream.copyFailed')}</span>
        )}
      </div>
    </div>
  );
}
