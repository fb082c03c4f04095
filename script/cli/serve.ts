/**
 * `artc-ingest serve`: the helper's local server for the dock. Prints the dock URL (with the per-install
 * token) and runs until SIGINT/SIGTERM, or until the process given by --parent-pid (OBS) is gone.
 */
import { loopbackAddress } from '../server/listen.js';
import { startHelper } from '../server/helper.js';
import { watchParent } from '../server/parent-watch.js';
import { probeHelper, removeHelperState, writeHelperState } from '../helper-state.js';
import { peekToken } from '../server/token-store.js';
import { configDir } from '../paths.js';
import { VERSION } from '../version.js';
import { stringFlag, UsageError, type Command } from './command.js';
import { parsePort } from './port-flag.js';
import { MONITORING_HELP, MONITORING_OPTIONS, parseMonitoringFlags } from '../alerts/flags.js';

export function parseHost(raw: string | boolean | undefined): string {
  const host = raw === undefined ? '127.0.0.1' : String(raw);
  if (!loopbackAddress(host))
    throw new UsageError(`--host: the helper listens on loopback only (127.0.0.1, ::1 or localhost), got "${host}"`);
  return host;
}

export function parseParentPid(raw: string | boolean | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const s = String(raw);
  if (!/^\d{1,10}$/.test(s) || Number(s) < 1)
    throw new UsageError(`--parent-pid: must be a process ID (a positive whole number), got "${s}"`);
  return Number(s);
}

/** Resolves when the signal aborts or the parent process is gone; says which. */
function waitForStop(signal: AbortSignal | undefined, parentPid: number | undefined): Promise<'signal' | 'parent'> {
  return new Promise((resolve) => {
    let stopWatch = () => {};
    const onAbort = () => {
      stopWatch();
      resolve('signal');
    };
    if (signal?.aborted) return resolve('signal');
    signal?.addEventListener('abort', onAbort, { once: true });
    if (parentPid !== undefined) {
      stopWatch = watchParent(parentPid, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve('parent');
      });
    }
  });
}

export const serveCommand: Command = {
  name: 'serve',
  summary: "Run the helper's local server for the OBS dock (prints the dock URL; runs until Ctrl+C).",
  usage: '[--host 127.0.0.1] [--port 4466] [--parent-pid PID]',
  help: `Options:
  --host <addr>       loopback address to listen on: 127.0.0.1 (default), localhost or ::1
  --port <n>          port (default 4466); a busy port is an error
  --parent-pid <pid>  stop when this process exits (the OBS script passes OBS's PID)

${MONITORING_HELP}
  In serve the supervisor runs in the dock: see README "Monitoring" for what the helper can report.

Without an Alibaba Cloud AccessKey (or with --sandbox) the helper starts the local sandbox cloud and
announces it, so \`artc-ingest url --sandbox\` in another terminal uses it.

Example:
  artc-ingest serve
  then in OBS: Docks > Custom Browser Docks..., paste the printed Dock URL.`,
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    'parent-pid': { type: 'string' },
    ...MONITORING_OPTIONS,
  },
  async run({ values, io }) {
    const host = parseHost(values.host);
    const port = parsePort(values.port);
    const parentPid = parseParentPid(values['parent-pid']);
    const monitoring = parseMonitoringFlags(values, io.env);
    const log = (line: string) => io.stderr(`${line}\n`);
    const dir = configDir({ env: io.env });
    const token = peekToken(dir);
    if (parentPid !== undefined && token && (await probeHelper(port, token)).kind === 'ours') {
      // started by the OBS script while a helper of ours already serves this port: nothing to do
      io.stdout(
        `An artc-ingest helper is already running on port ${port}.\nDock URL: http://127.0.0.1:${port}/?token=${token}\n`,
      );
      return 0;
    }
    const helper = await startHelper({
      host,
      port,
      env: io.env,
      sandbox: values.sandbox === true,
      endpoint: stringFlag(values, 'endpoint'),
      log,
      monitoring,
    });
    if (helper.fellBack) {
      io.stderr(
        'No Alibaba Cloud AccessKey found, so the helper runs against the local sandbox cloud (nothing reaches Alibaba Cloud).\n' +
          `Looked in: ${helper.looked.join('; ')}.\n` +
          'To use your account: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (or run `aliyun configure`), then restart `artc-ingest serve`.\n',
      );
    }
    const lines = [
      `Helper listening on ${helper.url} (${helper.mode === 'cloud' ? `cloud ${helper.endpoint}, credentials from ${helper.credentialSource}` : 'sandbox mode'})`,
    ];
    if (helper.sandbox) {
      lines.push(
        `Sandbox cloud: ${helper.sandbox.endpoint}, RTMP ingest on 127.0.0.1:${helper.sandbox.rtmpPort} (\`artc-ingest url --sandbox ...\` in another terminal uses it)`,
      );
    }
    lines.push(
      `Dock URL: ${helper.dockUrl}`,
      'In OBS: Docks > Custom Browser Docks..., paste the Dock URL. Press Ctrl+C to stop.',
    );
    io.stdout(lines.join('\n') + '\n');
    writeHelperState(dir, {
      pid: process.pid,
      port: Number(new URL(helper.url).port),
      ...(parentPid !== undefined ? { parentPid } : {}),
      mode: helper.mode,
      version: VERSION,
      startedAt: new Date().toISOString(),
    });
    const why = await waitForStop(io.signal, parentPid);
    if (why === 'parent') io.stderr(`Parent process ${parentPid} is gone; stopping.\n`);
    removeHelperState(dir);
    await helper.stop();
    io.stdout('Stopped.\n');
    return 0;
  },
};
