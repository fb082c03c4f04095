/**
 * `run`: the supervisor headless, for unattended machines. Sets rtmp_custom, starts streaming and keeps the
 * publisher in the channel until SIGINT/SIGTERM. `--json` prints one object per line with "state", "at"
 * (ISO 8601) and "reason".
 */
import { DEFAULT_OBS_URL, parseObsUrl } from '../../shared/obs-url.js';
import { connectCloud } from '../cloud/cloud.js';
import { obsConfigDir, readObsWebsocket } from '../obs-config.js';
import { configDir } from '../paths.js';
import { startSandboxCloud, type SandboxCloud } from '../server/sandbox-loader.js';
import type { LogEntry, Snapshot } from '../../shared/supervisor/index.js';
import { PUBLISHER_OPTIONS, publisherFromFlags } from './channel-flags.js';
import { stringFlag, UsageError, type CliIo, type Command } from './command.js';
import { MONITORING_HELP, MONITORING_OPTIONS, parseMonitoringFlags } from '../alerts/flags.js';
import { runMonitoring } from '../metrics/run-monitoring.js';

function seconds(flag: string, raw: unknown, { min, max }: { min: number; max: number }): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(String(raw)) || n < min || n > max)
    throw new UsageError(`--${flag}: must be a number of seconds from ${min} to ${max}, got "${String(raw)}"`);
  return n;
}

function obsTarget(values: Record<string, unknown>, env: NodeJS.ProcessEnv) {
  const fromObs = readObsWebsocket(obsConfigDir({ env }));
  const raw = stringFlag(values, 'obs-url') ?? fromObs?.url ?? DEFAULT_OBS_URL;
  // the dock's check (shared/obs-url.ts): ws:// or wss:// with a host, a path allowed for a TLS proxy
  const url = parseObsUrl(raw);
  if (url === undefined) throw new UsageError(`--obs-url: must look like ${DEFAULT_OBS_URL}, got "${raw}"`);
  // the password from OBS's own config only when it is that OBS (same port)
  const samePort = fromObs && new URL(url).port === String(fromObs.port);
  const password =
    stringFlag(values, 'obs-password') ?? env.OBS_WEBSOCKET_PASSWORD ?? (samePort ? fromObs.password : undefined);
  return {
    url,
    password,
    passwordSource:
      values['obs-password'] !== undefined
        ? 'flag'
        : env.OBS_WEBSOCKET_PASSWORD
          ? 'env'
          : samePort && fromObs.password
            ? fromObs.source
            : 'none',
  };
}

function printer(io: CliIo, json: boolean) {
  return (entry: LogEntry, snap: Snapshot) => {
    const state = entry.state ?? snap.kind;
    const at = new Date(entry.at).toISOString();
    if (json) {
      io.stdout(
        JSON.stringify({
          state,
          at,
          reason: entry.reason,
          level: entry.level,
          message: entry.message,
          ...(entry.requestIds?.length ? { requestIds: entry.requestIds } : {}),
          ...(entry.error ? { error: entry.error } : {}),
          ...(entry.recovery ? { recovery: entry.recovery } : {}),
        }) + '\n',
      );
    } else {
      const ids = entry.requestIds?.length ? ` [RequestId ${entry.requestIds.join(', ')}]` : '';
      io.stdout(`${at}  ${state.padEnd(15)} ${entry.message}${ids}\n`);
    }
  };
}

/** The channel to supervise, from the publisher flags. */
function channelFromFlags(values: Record<string, unknown>) {
  const p = publisherFromFlags(values);
  return {
    appId: p.AppId,
    channelId: p.ChannelId,
    userId: p.UserId,
    displayName: p.DisplayName,
    ...(p.ExpireTime !== undefined ? { expireTime: p.ExpireTime } : {}),
  };
}

/** The supervisor's tuning from --poll-interval, --reconnect-grace and --max-recoveries (only those given). */
function supervisorConfig(values: Record<string, unknown>) {
  const poll = seconds('poll-interval', values['poll-interval'], { min: 1, max: 3600 });
  const grace = seconds('reconnect-grace', values['reconnect-grace'], { min: 0, max: 600 });
  const maxRec =
    values['max-recoveries'] === undefined
      ? undefined
      : seconds('max-recoveries', values['max-recoveries'], { min: 1, max: 10_000 });
  if (maxRec !== undefined && !Number.isInteger(maxRec))
    throw new UsageError('--max-recoveries: must be a whole number');
  return {
    ...(poll !== undefined ? { pollIntervalMs: poll * 1000 } : {}),
    ...(grace !== undefined ? { reconnectGraceMs: grace * 1000 } : {}),
    ...(maxRec !== undefined ? { maxRecoveriesInWindow: maxRec } : {}),
  };
}

/** The real cloud's client (--endpoint, credentials from the environment). */
async function cloudClient(values: Record<string, unknown>, io: CliIo) {
  const cloud = await connectCloud({
    endpoint: stringFlag(values, 'endpoint'),
    env: io.env,
    ...(io.fetch ? { fetch: io.fetch } : {}),
  });
  return cloud.client;
}

/** Says why supervision failed, when it did. */
function sayWhyFailed(snap: Snapshot, say: (line: string) => void): void {
  if (snap.kind !== 'failed' || !snap.lastError) return;
  const { code, message, requestId } = snap.lastError;
  say(`supervision failed: ${code}: ${message}${requestId ? ` (RequestId: ${requestId})` : ''}`);
}

/** `run --sandbox`: the sandbox cloud `serve` uses (node-media-server's signal hold included), announced at once. */
async function startOwnSandbox(env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<SandboxCloud> {
  const own = await startSandboxCloud({ env, log: say });
  own.announce();
  say(`sandbox cloud on ${own.sandbox.endpoint}, RTMP ingest on rtmp://127.0.0.1:${own.sandbox.rtmpPort}`);
  return own;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Go live and stay live, headless: the supervisor without the dock, for unattended machines.',
  usage: `--app-id A --channel-id C --user-id U --display-name D [--expire-time S] [--obs-url ${DEFAULT_OBS_URL}] [--obs-password P] [--poll-interval SECONDS] [--json]`,
  help: `Options:
  --app-id, --channel-id, --user-id, --display-name, --expire-time   the channel (as for \`url\`)
  --obs-url <ws-url>          obs-websocket URL (default: from OBS's config, else ${DEFAULT_OBS_URL})
  --obs-password <p>          obs-websocket password (default: env OBS_WEBSOCKET_PASSWORD, else OBS's own config)
  --poll-interval <sec>       how often to check the publisher is in the channel (default 5)
  --reconnect-grace <sec>     let OBS's own reconnect try first for this long (default 0: take over at once)
  --max-recoveries <n>        stop supervising after n recoveries within 10 minutes (default: never)
  --stop-on-exit              stop OBS's stream when this command ends (always so with --sandbox)
  --json                      one JSON object per line: {"state","at","reason",...}

${MONITORING_HELP}

Supervision ends on SIGINT/SIGTERM, or when you press Stop Streaming in OBS (never fought).

Example:
  artc-ingest run --app-id myApp --channel-id room1 --user-id obs-1 --display-name "Studio A" --json`,
  options: {
    ...PUBLISHER_OPTIONS,
    'obs-url': { type: 'string' },
    'obs-password': { type: 'string' },
    'poll-interval': { type: 'string' },
    'reconnect-grace': { type: 'string' },
    'max-recoveries': { type: 'string' },
    'stop-on-exit': { type: 'boolean' },
    json: { type: 'boolean' },
    ...MONITORING_OPTIONS,
  },
  async run({ values, io }) {
    const channel = channelFromFlags(values);
    const config = supervisorConfig(values);
    const obs = obsTarget(values, io.env);
    const monitoring = parseMonitoringFlags(values, io.env);
    const json = values.json === true;
    const say = (line: string) => (json ? io.stderr : io.stdout)(`artc-ingest run: ${line}\n`);

    const own = values.sandbox === true ? await startOwnSandbox(io.env, say) : undefined;
    const client = own?.client ?? (await cloudClient(values, io));

    let finished: (code: number) => void = () => {};
    const outcome = new Promise<number>((resolve) => (finished = resolve));
    const print = printer(io, json);
    const monitor = runMonitoring({
      flags: monitoring,
      channel,
      say,
      secrets: () => [obs.password, ...client.credentials.secrets(), own?.sandbox.controlToken],
    });
    const mon = await monitor.start().catch(async (e: unknown) => {
      await own?.stop();
      throw e;
    });
    say(
      `supervising ${channel.appId}/${channel.channelId} as ${channel.userId} through OBS at ${obs.url} (password: ${obs.passwordSource})`,
    );
    // the supervisor and the Node obs-websocket client (ws, obs-websocket-js) load with `run` only: the other
    // commands, `serve` first, start without them
    const { supervise } = await import('../run/supervise.js');
    const sup = supervise({
      channel,
      client,
      obsUrl: obs.url,
      obsPassword: obs.password,
      configDir: configDir({ env: io.env }),
      config,
      log: say,
      wrapApi: monitor.wrapApi,
      onEntry: (entry, snap) => {
        print(entry, snap);
        // supervision over: the user stopped in OBS (never fought), or it needs the user
        if (snap.kind === 'stopped-by-user') finished(0);
        if (snap.kind === 'failed') finished(1);
      },
    });
    monitor.attach(sup);
    const onSignal = () => finished(0);
    io.signal?.addEventListener('abort', onSignal, { once: true });
    const code = await outcome;
    io.signal?.removeEventListener('abort', onSignal);
    sayWhyFailed(sup.runner.snapshot(), say);
    // with --sandbox the ingest ends with this process: stop OBS cleanly rather than leave it reconnecting
    await sup.stop({ stopStream: values['stop-on-exit'] === true || own !== undefined });
    await mon.stop();
    await own?.stop();
    const c = sup.runner.log.counters();
    say(`done: ${c.recoveries} recoveries, ${Math.round(c.offAirMs / 1000)} s off air`);
    return code;
  },
};
