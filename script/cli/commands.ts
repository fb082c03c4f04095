/** Every CLI command, in the order `--help` lists them. Add a command: import it and list it here. */
import type { Command } from './command.js';
import { urlCommand } from './url.js';
import { participantsCommand } from './participants.js';
import { serveCommand } from './serve.js';
import { runCommand } from './run.js';
import { installCommand } from './install.js';
import { uninstallCommand } from './uninstall.js';
import { doctorCommand } from './doctor.js';

export const commands: Command[] = [
  urlCommand,
  participantsCommand,
  serveCommand,
  runCommand,
  installCommand,
  uninstallCommand,
  doctorCommand,
];
