import { configDir } from '../paths.js';
import { obsConfigDir } from '../obs-config.js';
import { uninstall } from '../install/uninstall.js';
import { findRunningObs } from '../install/obs-running.js';
import { ObsLayoutError } from '../install/obs-layout.js';
import { ManifestError } from '../install/manifest.js';
import { stringFlag, UsageError, type Command } from './command.js';
import { INSTALL_OPTIONS } from './install.js';

export const uninstallCommand: Command = {
  name: 'uninstall',
  summary:
    "Undo what install changed in OBS's config (byte for byte when nothing else changed the files). OBS must be closed.",
  usage: '[--dry-run] [--config-dir DIR] [--obs-version V]',
  help: `Options:
  --dry-run            print each file and the change it would make; change nothing
  --config-dir <dir>   OBS's config folder (the one given to install)
  --obs-version <v>    override the OBS version guessed from the files (only used when install's record is gone)

A file nobody changed since install gets its backup back, byte for byte. OBS rewrites its config whenever it
runs, so after OBS has run uninstall removes only artc-ingest's entries (the dock, the script, and the
obs-websocket settings install turned on, unless you changed them since) and says so.`,
  options: INSTALL_OPTIONS,
  async run({ values, io }) {
    try {
      return uninstall({
        obsConfigDir: stringFlag(values, 'config-dir') ?? obsConfigDir({ env: io.env }),
        helperDir: configDir({ env: io.env }),
        obsVersion: stringFlag(values, 'obs-version'),
        dryRun: values['dry-run'] === true,
        findRunningObs: () => findRunningObs(),
        out: io.stdout,
      });
    } catch (e) {
      if (e instanceof ObsLayoutError && e.message.startsWith('--obs-version')) throw new UsageError(e.message);
      if (e instanceof ObsLayoutError || e instanceof ManifestError) {
        io.stderr(`artc-ingest uninstall: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  },
};
