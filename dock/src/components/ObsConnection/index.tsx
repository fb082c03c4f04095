/** OBS WebSocket URL and password (show/hide), the connection pill, Connect, and why a connection failed. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { secondsUntil } from '../../lib/format.js';
import { useTick } from '../../lib/store.js';
import type { DockState, ObsStatus } from '../../model/state.js';
import { useDock, useModel, useT } from '../context.js';
import './style.css';

type Obs = DockState['obs'];

export function ObsConnection({ disabled }: { disabled?: boolean }) {
  const model = useModel();
  const { obs } = useDock();
  return (
    <form
      class="obs-connection"
      onSubmit={(e) => {
        e.preventDefault();
        model.connectObs();
      }}
    >
      <UrlField obs={obs} disabled={disabled} />
      <PasswordField obs={obs} disabled={disabled} />
      <StatusRow obs={obs} disabled={disabled} />
    </form>
  );
}

interface FieldProps {
  obs: Obs;
  disabled?: boolean | undefined;
}

function UrlField({ obs, disabled }: FieldProps) {
  const model = useModel();
  const t = useT();
  return (
    <div class="field">
      <label for="obs-url">{t('obs.url')}</label>
      <input
        id="obs-url"
        type="text"
        inputMode="url"
        autoComplete="off"
        spellcheck={false}
        value={obs.url}
        disabled={disabled}
        aria-invalid={obs.badUrl ? 'true' : 'false'}
        aria-describedby={obs.badUrl ? 'obs-url-error' : undefined}
        onInput={(e) => model.setObsUrl(e.currentTarget.value)}
      />
      {obs.badUrl && (
        <p id="obs-url-error" class="field-error">
          {t('obs.badUrl')}
        </p>
      )}
    </div>
  );
}

function PasswordField({ obs, disabled }: FieldProps) {
  const model = useModel();
  const t = useT();
  const [show, setShow] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  // 4009: ask for the password where the user will type it
  useEffect(() => {
    if (obs.status === 'auth-failed') input.current?.focus();
  }, [obs.status]);
  return (
    <div class="field">
      <label for="obs-password">{t('obs.password')}</label>
      <div class="obs-password">
        <input
          id="obs-password"
          ref={input}
          // preact's typings split inputs by type; the toggle needs both
          type={(show ? 'text' : 'password') as 'text'}
          autoComplete="off"
          spellcheck={false}
          value={obs.password}
          disabled={disabled}
          aria-invalid={obs.status === 'auth-failed' ? 'true' : 'false'}
          aria-describedby={helpKey(obs.status) ? 'obs-help' : undefined}
          onInput={(e) => model.setObsPassword(e.currentTarget.value)}
        />
        <button type="button" aria-pressed={show} onClick={() => setShow(!show)}>
          {show ? t('obs.hide') : t('obs.show')}
        </button>
      </div>
    </div>
  );
}

/** The pill, Connect, the reconnect countdown (the supervisor's one loop) and why it failed. */
function StatusRow({ obs, disabled }: FieldProps) {
  const model = useModel();
  const t = useT();
  useTick(1000, obs.nextTryAt !== undefined);
  const help = helpKey(obs.status);
  return (
    <>
      <div class="obs-row">
        <span class={`pill pill-${obs.status}`} data-status={obs.status}>
          {t(`obs.status.${obs.status}`)}
        </span>
        <button type="submit" disabled={disabled || obs.status === 'connecting'}>
          {t('obs.connect')}
        </button>
      </div>
      {obs.nextTryAt !== undefined && (
        <p class="obs-note">{t('obs.retryIn', { s: secondsUntil(obs.nextTryAt, model.now()) })}</p>
      )}
      {help && (
        <p id="obs-help" class="obs-note">
          {t(help)}
        </p>
      )}
      {obs.hintsSource && obs.hintsSource !== 'default' && (
        <p class="obs-note faint">{t('obs.prefilled', { source: obs.hintsSource })}</p>
      )}
    </>
  );
}

function helpKey(status: ObsStatus) {
  if (status === 'auth-failed') return 'obs.authHelp' as const;
  if (status === 'invalidated') return 'obs.invalidatedHelp' as const;
  if (status === 'unreachable') return 'obs.unreachableHelp' as const;
  return undefined;
}
