import { readSandboxState, resolveEndpoint } from '../cloud/cloud.js';
import { credentialChain } from '../cloud/credential-chain.js';
import { obsConfigDir, readObsWebsocket } from '../obs-config.js';
import { configDir } from '../paths.js';
import { doctor } from '../doctor/doctor.js';
import type { ConnectObs } from '../doctor/obs-probe.js';
import { detectObsLayout, type ObsLayout } from '../install/obs-layout.js';
import { readScripts } from '../install/scene-collection.js';
import { readBytes } from '../install/files.js';
import { peekToken } from '../server/token-store.js';
import { MIN_OBS_SETTINGS_PORT } from '../../shared/port.js';
import { DEFAULT_PORT, parsePort } from './port-flag.js';
import { stringFlag, UsageError, type Command } from './command.js';

/** obs-websocket-js (and ws under it) loads when `doctor` probes OBS, not when another command starts. */
const connectObs: ConnectObs = async (url, password, timeoutMs) =>
  (await import('../doctor/obs-probe.js')).connectObs(url, password, timeoutMs);

/** The port install wrote into the script's settings, so `doctor` after `install --port N` checks N. */
function installedPort(layout: ObsLayout | Error): number | undefined {
  if (layout instanceof Error) return undefined;
  try {
    const entry = readScripts(readBytes(layout.sceneCollectionFile)?.toString('utf8') ?? '').scripts.find((s) =>
      s.path.endsWith('artc-ingest.lua'),
    );
    const p = entry?.settings?.port;
    return typeof p === 'number' ? p : undefined;
  } catch {
    return undefined;
  }
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary:
    'Check credentials, clock, endpoint, OBS config and connection, the dock and the helper port; one line each with the fix.',
  usage: '[--port N] [--config-dir DIR] [--obs-version V] [--timeout MS] [--sandbox] [--endpoint URL]',
  help: `Options:
  --port <n>           the helper's port (default: the one install set up, else 4466)
  --config-dir <dir>   OBS's config folder (default: the standard one for this OS, or $OBS_CONFIG_DIR)
  --obs-version <v>    override the OBS version guessed from the files (29, 30.2, 31, ...)
  --timeout <ms>       deadline for each network check (default 5000)

Lines: ✔ fine, ! worth a look (does not fail), ✖ a problem, with "Fix:" saying what to do.
Exit status 0 when nothing failed, 1 otherwise.`,
  options: {
    port: { type: 'string' },
    'config-dir': { type: 'string' },
    'obs-version': { type: 'string' },
    timeout: { type: 'string' },
  },
  async run({ values, io }) {
    const obsDir = stringFlag(values, 'config-dir') ?? obsConfigDir({ env: io.env });
    const layoutOf = (): ObsLayout | Error => {
      try {
        return detectObsLayout(obsDir, stringFlag(values, 'obs-version'));
      } catch (e) {
        return e as Error;
      }
    };
    const layout = layoutOf();
    const port =
      values.port !== undefined
        ? parsePort(values.port, { min: MIN_OBS_SETTINGS_PORT })
        : (installedPort(layout) ?? DEFAULT_PORT);
    const timeoutMs = values.timeout !== undefined ? Number(values.timeout) : 5_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 60_000)
      throw new UsageError('--timeout: expected milliseconds from 100 to 60000');
    const sandbox = values.sandbox === true;
    return doctor(
      {
        now: Date.now,
        fetch: io.fetch ?? fetch,
        sandbox,
        endpoint: sandbox ? '' : resolveEndpoint(stringFlag(values, 'endpoint'), io.env),
        obsDir,
        port,
        token: peekToken(configDir({ env: io.env })),
        platform: process.platform,
        timeoutMs,
        credentials: () => credentialChain({ env: io.env, timeoutMs }),
        readSandbox: () => readSandboxState(io.env),
        layout: () => layout,
        readWebsocket: () => readObsWebsocket(obsDir),
        connectObs,
      },
      io.stdout,
    );
  },
};
