/**
 * Assembles a running helper: picks the cloud (real with credentials, else the sandbox), loads the token,
 * builds the handler, binds it, and in sandbox mode announces the sandbox in `<configDir>/sandbox.json` so
 * `url --sandbox` in another terminal finds it. `stop()` undoes all of it.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ObsHintsBody } from '../../shared/api-routes.js';
import { realTimers } from '../../shared/obs-binding.js';
import { DEFAULT_OBS_URL } from '../../shared/obs-url.js';
import { LiveApiClient } from '../cloud/api-client.js';
import { resolveEndpoint } from '../cloud/cloud.js';
import { credentialChain } from '../cloud/credential-chain.js';
import { CredentialsError, describeInfo } from '../cloud/credentials.js';
import { obsConfigDir, readObsWebsocket } from '../obs-config.js';
import { configDir } from '../paths.js';
import { VERSION } from '../version.js';
import { cloudApi } from './cloud-api.js';
import { createHandler } from './handler.js';
import { intentStore, settingsStore } from './json-store.js';
import { createLeases } from './leases.js';
import { listen, type Listening } from './listen.js';
import {
  faultInjector,
  startSandboxCloud,
  type SandboxCloud,
  type SandboxHandle,
  type StartSandbox,
} from './sandbox-loader.js';
import { loadOrCreateToken } from './token-store.js';
import type { MonitoringFlags } from '../alerts/flags.js';
import { alertSettings, type AlertSettings, type AlertSettingsOptions } from '../alerts/settings.js';
import { helperView, type HelperView } from '../metrics/helper-view.js';
import { startMonitoring, type Monitoring } from '../metrics/monitoring.js';
import { metricsIf } from '../metrics/load.js';
import type { Metrics } from '../metrics/registry.js';

export interface HelperOptions {
  host: string;
  port: number;
  env: NodeJS.ProcessEnv;
  sandbox: boolean;
  endpoint?: string | undefined;
  log: (line: string) => void;
  now?: () => number;
  startSandbox?: StartSandbox;
  /** --metrics-listen / --alert-* (the dock's alert settings apply in any case) */
  monitoring?: MonitoringFlags;
}

export interface RunningHelper {
  url: string;
  dockUrl: string;
  mode: 'cloud' | 'sandbox';
  endpoint: string;
  credentialSource: string;
  /** true when sandbox mode was chosen because no credentials exist anywhere */
  fellBack: boolean;
  /** the places looked at for credentials, when it fell back */
  looked: string[];
  sandbox?: SandboxHandle;
  stop(): Promise<void>;
}

/** dist/dock beside the bundled dist/artc-ingest.mjs, or ../../dist/dock when run from source. */
export function resolveDockDir(env: NodeJS.ProcessEnv): string {
  if (env.ARTC_INGEST_DOCK_DIR) return env.ARTC_INGEST_DOCK_DIR;
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'dock'), join(here, '..', '..', 'dist', 'dock')];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0]!;
}

export function obsHintsFrom(env: NodeJS.ProcessEnv): () => ObsHintsBody {
  return () => {
    const s = readObsWebsocket(obsConfigDir({ env }));
    if (!s) return { url: DEFAULT_OBS_URL, source: 'default' };
    return {
      url: s.url,
      serverEnabled: s.serverEnabled,
      authRequired: s.authRequired,
      source: s.source,
      ...(s.password ? { password: s.password } : {}),
    };
  };
}

interface Cloud {
  client: LiveApiClient;
  mode: 'cloud' | 'sandbox';
  endpoint: string;
  credentialSource: string;
  secrets: () => Array<string | undefined>;
  fellBack: boolean;
  looked: string[];
  /** the sandbox cloud, in sandbox mode (its stop() also removes sandbox.json and lifts the signal hold) */
  sandbox?: SandboxCloud;
}

async function chooseCloud(o: HelperOptions): Promise<Cloud> {
  let looked: string[] = [];
  if (!o.sandbox) {
    const endpoint = resolveEndpoint(o.endpoint, o.env);
    const source = credentialChain({ env: o.env });
    try {
      // resolved once now so a broken profile fails at start; afterwards the client asks per request
      await source.get();
      const client = new LiveApiClient({ endpoint, credentials: source });
      return {
        client,
        mode: 'cloud',
        endpoint,
        credentialSource: describeInfo(source.info()),
        secrets: () => source.secrets(),
        fellBack: false,
        looked,
      };
    } catch (e) {
      if (!(e instanceof CredentialsError) || e.found) throw e;
      looked = e.looked;
    }
  }
  const sandbox = await startSandboxCloud({
    env: o.env,
    log: o.log,
    ...(o.now ? { now: o.now } : {}),
    ...(o.startSandbox ? { start: o.startSandbox } : {}),
  });
  const { endpoint } = sandbox.sandbox;
  return {
    client: sandbox.client,
    mode: 'sandbox',
    endpoint,
    credentialSource: 'sandbox',
    secrets: sandbox.secrets,
    fellBack: !o.sandbox,
    looked,
    sandbox,
  };
}

/** What the helper says about its cloud (in /healthz and to its caller). */
function cloudFacts(cloud: Cloud): Pick<Cloud, 'mode' | 'endpoint' | 'credentialSource'> {
  return { mode: cloud.mode, endpoint: cloud.endpoint, credentialSource: cloud.credentialSource };
}

/** serve sees the dock's supervisor only through its intent and presence polls (helper-view.ts). */
function helperMetrics(o: HelperOptions, view: HelperView): Promise<Metrics> {
  return metricsIf(o.monitoring?.listen !== undefined, {
    version: VERSION,
    source: { snapshot: view.snapshot, channel: view.channel },
    omit: ['state', 'obs', 'url', 'storm', 'recoveries'],
  });
}

/** The alert targets: the flags' and the webhook the dock stores in the config dir. */
function helperAlerts(
  o: HelperOptions,
  dir: string,
  view: HelperView,
  timers: Omit<AlertSettingsOptions['deps'], 'fetch'>,
): Promise<AlertSettings> {
  const flagTargets = o.monitoring?.targets ?? [];
  return alertSettings({ dir, flagTargets, deps: { ...timers, fetch }, channel: view.channel, log: o.log });
}

/** /metrics and alerts (the flags' targets and the dock's stored webhook), the helper's log as the action log. */
function monitorHelper(
  o: HelperOptions,
  p: { metrics: Metrics; alerts: AlertSettings; view: HelperView; secrets: () => Array<string | undefined> },
): Promise<Monitoring> {
  return startMonitoring({
    flags: o.monitoring ?? { graceMs: 30_000, afterMs: 30_000, targets: [] },
    metrics: p.metrics,
    say: o.log,
    targets: p.alerts.targets,
    view: {
      ...p.view,
      appendLog: (level, reason, message) => o.log(`${level}: ${reason}: ${message}`),
      secrets: p.secrets,
    },
  });
}

export async function startHelper(o: HelperOptions): Promise<RunningHelper> {
  const now = o.now ?? Date.now;
  const dir = configDir({ env: o.env });
  const token = loadOrCreateToken(dir);
  const cloud = await chooseCloud(o);
  const timers = { now, ...realTimers };
  const view = helperView(timers);
  const metrics = await helperMetrics(o, view);
  const alerts = await helperAlerts(o, dir, view, timers);
  const handler = createHandler({
    port: o.port,
    token,
    api: view.wrapApi(cloudApi(cloud.client), metrics),
    alerts,
    health: { version: VERSION, ...cloudFacts(cloud), startedAt: new Date(now()).toISOString() },
    obsHints: obsHintsFrom(o.env),
    settingsStore: settingsStore(dir, o.log),
    intentStore: view.wrapIntent(intentStore(dir, o.log)),
    leases: createLeases(now),
    faults: cloud.sandbox ? faultInjector(cloud.sandbox.sandbox.faults) : undefined,
    staticDir: resolveDockDir(o.env),
    now,
    secrets: () => [...cloud.secrets(), token],
    log: o.log,
  });
  let server: Listening;
  let mon: Monitoring | undefined;
  try {
    server = await listen({ host: o.host, port: o.port, handler, log: o.log });
    mon = await monitorHelper(o, { metrics, alerts, view, secrets: () => [token, ...cloud.secrets()] }).catch(
      async (e: unknown) => {
        await server.close();
        throw e;
      },
    );
  } catch (e) {
    view.dispose();
    await cloud.sandbox?.stop();
    throw e;
  }
  cloud.sandbox?.announce({ helperUrl: server.url });
  return {
    url: server.url,
    dockUrl: `${server.url}/?token=${token}`,
    ...cloudFacts(cloud),
    fellBack: cloud.fellBack,
    looked: cloud.looked,
    ...(cloud.sandbox ? { sandbox: cloud.sandbox.sandbox } : {}),
    async stop() {
      await mon?.stop();
      view.dispose();
      await server.close();
      await cloud.sandbox?.stop();
    },
  };
}
