/**
 * The dock: header, the live status and Go live on top (never collapsed), then collapsible sections.
 * While the helper is not answering the same layout renders with a waiting banner: never a blank panel.
 */
import { secondsUntil } from '../../lib/format.js';
import { useTick } from '../../lib/store.js';
import type { DockModel } from '../../model/types.js';
import { ActionLog } from '../ActionLog/index.js';
import { Alerts } from '../Alerts/index.js';
import { ChannelForm } from '../ChannelForm/index.js';
import { ModelContext, useDock, useModel, useT } from '../context.js';
import { GoLive } from '../GoLive/index.js';
import { LanguageSwitch } from '../LanguageSwitch/index.js';
import { ObsConnection } from '../ObsConnection/index.js';
import { Presets } from '../Presets/index.js';
import { SandboxFaults } from '../SandboxFaults/index.js';
import { StatusPanel } from '../StatusPanel/index.js';
import { StreamKey } from '../StreamKey/index.js';
import { isSupervising } from '../../model/selectors.js';
import './style.css';

export function App({ model }: { model: DockModel }) {
  return (
    <ModelContext.Provider value={model}>
      <Dock />
    </ModelContext.Provider>
  );
}

function Dock() {
  const state = useDock();
  const model = useModel();
  const t = useT();
  const sandbox = state.helper.health?.mode === 'sandbox';
  // the channel cannot change under a running supervisor: it would not match what OBS streams
  const locked = isSupervising(state) || state.goPending;
  return (
    <main class="dock" lang={state.lang}>
      <header class="dock-header">
        <h1>{t('app.title')}</h1>
        {sandbox && <span class="badge">{t('app.sandbox')}</span>}
        <LanguageSwitch />
      </header>
      <HelperBanner />
      <StatusPanel />
      <GoLive />
      <details open>
        <summary>{t('section.channel')}</summary>
        <Presets disabled={locked} />
        <ChannelForm disabled={locked} />
      </details>
      <details open>
        <summary>{t('section.obs')}</summary>
        <ObsConnection />
      </details>
      <details>
        <summary>{t('section.stream')}</summary>
        <StreamKey />
      </details>
      <details>
        <summary>{t('section.log')}</summary>
        <ActionLog />
      </details>
      {/* the helper keeps the alert settings: the section loads them once it answers */}
      {state.helper.status === 'ready' && <Alerts api={model.api} t={t} />}
      {sandbox && (
        <details>
          <summary>{t('section.faults')}</summary>
          <SandboxFaults />
        </details>
      )}
    </main>
  );
}

function HelperBanner() {
  const model = useModel();
  const { helper } = useDock();
  const t = useT();
  useTick(1000, helper.status === 'waiting');
  if (helper.status === 'ready') return null;
  if (helper.status === 'unauthorized') {
    return (
      <div class="helper-banner error" aria-live="polite">
        <p>{t('helper.unauthorized')}</p>
      </div>
    );
  }
  return (
    <div class="helper-banner" aria-live="polite" data-testid="helper-waiting">
      <p class="helper-title">{t('helper.waiting')}</p>
      {helper.nextTryAt !== undefined && (
        <p class="helper-hint">
          {t('helper.waitingHint', { s: secondsUntil(helper.nextTryAt, model.now()), n: helper.attempt })}
        </p>
      )}
      <button type="button" onClick={() => model.retryHelper()}>
        {t('helper.retryNow')}
      </button>
    </div>
  );
}
