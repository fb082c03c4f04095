import { configDir } from '../paths.js';
import { obsConfigDir } from '../obs-config.js';
import { install } from '../install/install.js';
import { findRunningObs } from '../install/obs-running.js';
import { locateAssets } from '../install/assets.js';
import { ObsLayoutError } from '../install/obs-layout.js';
import { PlanError } from '../install/plan.js';
import { stringFlag, UsageError, type Command } from './command.js';
import { MIN_OBS_SETTINGS_PORT } from '../../shared/port.js';
import { parsePort } from './port-flag.js';

export const INSTALL_OPTIONS = {
  'config-dir': { type: 'string' },
  'obs-version': { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

export const installCommand: Command = {
  name: 'install',
  summary:
    'Add the "ARTC Ingest" dock and the Lua script (starts the helper with OBS) to OBS\'s config. OBS must be closed.',
  usage: '[--dry-run] [--enable-websocket] [--port N] [--sandbox] [--config-dir DIR] [--obs-version V] [--node PATH]',
  help: `Options:
  --dry-run            print each file and the change it would make; change nothing
  --enable-websocket   if obs-websocket is off, turn it on with authentication and a generated password
                       (without this flag install only tells you that it is off)
  --port <n>           the helper's port, written into the dock URL and the script's settings (default 4466)
  --sandbox            the script starts the helper with --sandbox (no Alibaba Cloud account needed)
  --config-dir <dir>   OBS's config folder (default: the standard one for this OS, or $OBS_CONFIG_DIR;
                       a portable OBS keeps it in config/obs-studio beside the program)
  --obs-version <v>    override the OBS version guessed from the files (29, 30, 30.2, 31, ...)
  --node <path>        the Node.js the script runs the helper with (default: this one, ${process.execPath})

Run it again any time: a second install changes nothing. Every file is backed up once as
<file>.artc-ingest.bak before its first change; \`artc-ingest uninstall\` undoes exactly what install did.

Examples:
  artc-ingest install --dry-run
  artc-ingest install --enable-websocket
  artc-ingest install --config-dir "D:\\OBS\\config\\obs-studio"`,
  options: {
    ...INSTALL_OPTIONS,
    'enable-websocket': { type: 'boolean' },
    port: { type: 'string' },
    node: { type: 'string' },
  },
  async run({ values, io }) {
    const port = parsePort(values.port, { min: MIN_OBS_SETTINGS_PORT });
    const obsDir = stringFlag(values, 'config-dir') ?? obsConfigDir({ env: io.env });
    try {
      return install({
        obsConfigDir: obsDir,
        helperDir: configDir({ env: io.env }),
        obsVersion: stringFlag(values, 'obs-version'),
        port,
        sandbox: values.sandbox === true,
        nodePath: stringFlag(values, 'node') ?? process.execPath,
        ...locateAssets(),
        enableWebsocket: values['enable-websocket'] === true,
        dryRun: values['dry-run'] === true,
        findRunningObs: () => findRunningObs(),
        out: io.stdout,
      });
    } catch (e) {
      if (e instanceof ObsLayoutError && e.message.startsWith('--obs-version')) throw new UsageError(e.message);
      if (e instanceof ObsLayoutError || e instanceof PlanError) {
        io.stderr(`artc-ingest install: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  },
};
