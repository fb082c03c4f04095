/**
 * Each doctor check: one function, all I/O through `DoctorDeps`, returning lines `{ status, name, detail, fix }`.
 * A check never throws: whatever goes wrong becomes its line (offline and sandbox included).
 */
import { existsSync } from 'node:fs';
import { redact } from '../cloud/errors.js';
import { CredentialsError, describeInfo, type CredentialSource } from '../cloud/credentials.js';
import type { SandboxState } from '../cloud/cloud.js';
import type { ObsWebsocketSettings } from '../obs-config.js';
import { probeHelper } from '../helper-state.js';
import { DOCK_TITLE, readDocks } from '../install/browser-docks.js';
import { readScripts, LUA_FILE_NAME } from '../install/scene-collection.js';
import type { ObsLayout } from '../install/obs-layout.js';
import { readBytes } from '../install/files.js';
import type { ConnectObs } from './obs-probe.js';

export type Status = 'ok' | 'warn' | 'fail';
export interface CheckLine {
  status: Status;
  name: string;
  detail: string;
  fix?: string;
}

export interface DoctorDeps {
  now: () => number;
  fetch: typeof fetch;
  sandbox: boolean;
  /** the cloud endpoint (origin) the helper would call */
  endpoint: string;
  obsDir: string;
  port: number;
  token: string | undefined;
  platform: NodeJS.Platform;
  timeoutMs: number;
  /** the credential chain the helper would use (doctor resolves it once: STS ones are fetched for real) */
  credentials: () => CredentialSource;
  readSandbox: () => SandboxState | null;
  /** OBS's layout, or the reason it could not be read */
  layout: () => ObsLayout | Error;
  readWebsocket: () => ObsWebsocketSettings | null;
  connectObs: ConnectObs;
  readText?: (path: string) => string | undefined;
  exists?: (path: string) => boolean;
}

const line = (status: Status, name: string, detail: string, fix?: string): CheckLine => ({
  status,
  name,
  detail,
  ...(fix ? { fix } : {}),
});
const readText = (d: DoctorDeps, p: string) => (d.readText ? d.readText(p) : readBytes(p)?.toString('utf8'));

export async function checkCredentials(d: DoctorDeps): Promise<CheckLine> {
  const name = 'Credentials';
  if (d.sandbox) return line('ok', name, 'not needed: sandbox mode uses the local test cloud');
  let source: CredentialSource | undefined;
  try {
    source = d.credentials();
    const c = await source.get();
    const info = source.info();
    const what = describeInfo(info);
    if (!c.securityToken) return line('ok', name, what);
    if (info.expiresAt === undefined)
      return line(
        'ok',
        name,
        `${what} (STS token; its expiry is not known: a fixed token stops working when it expires)`,
      );
    const left = info.expiresAt - d.now();
    const when = `${new Date(info.expiresAt).toISOString()} (${left >= 0 ? `in ${Math.round(left / 60_000)} min` : `${Math.round(-left / 60_000)} min ago`})`;
    return line('ok', name, `${what}; the current STS credentials expire ${when} and are refreshed 15 min before`);
  } catch (e) {
    const secrets = source?.secrets() ?? [];
    const msg = redact((e as Error).message, secrets);
    if (e instanceof CredentialsError && !e.found) {
      return line(
        'fail',
        name,
        `no Alibaba Cloud credentials found (looked in ${e.looked.join('; ')}); without them the helper runs the local sandbox`,
        'set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or run `aliyun configure`',
      );
    }
    return line(
      'fail',
      name,
      oneLine(msg),
      'correct that file, profile or role (see README "Credentials"), or set ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    );
  }
}

/** "No usable credentials:\n  - a\n  - b" -> "No usable credentials: a; b" (a doctor line is one line). */
function oneLine(text: string): string {
  const [head = '', ...items] = text
    .split('\n')
    .map((l) => l.trim().replace(/^- /, ''))
    .filter(Boolean);
  return items.length ? `${head} ${items.join('; ')}` : head;
}

interface EndpointProbe {
  reachable: boolean;
  detail: string;
  /** server Date minus local time, ms */
  skewMs?: number;
}

function errorCode(e: unknown): string {
  const err = e as { name?: string; cause?: { code?: string }; message?: string };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timed out';
  return err.cause?.code ?? err.message ?? String(e);
}

export async function probeEndpoint(d: DoctorDeps, endpoint: string): Promise<EndpointProbe> {
  const sent = d.now();
  try {
    const res = await d.fetch(`${endpoint}/`, {
      method: 'GET',
      redirect: 'manual',
      signal: AbortSignal.timeout(d.timeoutMs),
    });
    const received = d.now();
    await res.body?.cancel().catch(() => undefined);
    const date = res.headers.get('date');
    const server = date ? Date.parse(date) : NaN;
    // the server stamped its Date somewhere between send and receive: compare with the midpoint
    const skewMs = Number.isFinite(server) ? server - (sent + received) / 2 : undefined;
    return {
      reachable: true,
      detail: `HTTP ${res.status} in ${received - sent} ms`,
      ...(skewMs !== undefined ? { skewMs } : {}),
    };
  } catch (e) {
    return { reachable: false, detail: errorCode(e) };
  }
}

const CLOCK_FIX: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'turn on time sync: `sudo timedatectl set-ntp true`',
  darwin: 'System Settings > General > Date & Time > Set time and date automatically',
  win32: 'Settings > Time & language > Date & time > Sync now',
};

export function clockLine(d: DoctorDeps, p: EndpointProbe): CheckLine {
  const name = 'Clock';
  if (d.sandbox) return line('ok', name, "sandbox mode signs and checks with this machine's own clock");
  if (!p.reachable)
    return line(
      'warn',
      name,
      `not compared: the endpoint did not answer; this machine says ${new Date(d.now()).toISOString()}`,
    );
  if (p.skewMs === undefined) return line('warn', name, 'not compared: the endpoint sent no Date header');
  const skew = -p.skewMs;
  const abs = Math.abs(skew);
  const how = `${formatDuration(abs)} ${skew >= 0 ? 'ahead of' : 'behind'} the API's clock`;
  const fix = CLOCK_FIX[d.platform] ?? 'turn on automatic time sync';
  // Alibaba Cloud rejects signed requests whose timestamp is more than 15 minutes off (InvalidTimeStamp.Expired)
  if (abs >= 15 * 60_000) return line('fail', name, `this machine is ${how}: signed requests fail past 15 min`, fix);
  if (abs >= 5 * 60_000)
    return line('warn', name, `this machine is ${how}: close to the 15 min limit for signatures`, fix);
  return line('ok', name, `within ${formatDuration(Math.max(abs, 1_000))} of the API's clock`);
}

function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1_000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

export function endpointLine(d: DoctorDeps, endpoint: string | undefined, p: EndpointProbe | undefined): CheckLine {
  const name = 'Endpoint';
  if (d.sandbox && !endpoint)
    return line(
      'warn',
      name,
      'no sandbox is running',
      'start one: `artc-ingest serve --sandbox` (or tick Sandbox in OBS: Tools > Scripts > artc-ingest.lua)',
    );
  if (!p || !endpoint) return line('warn', name, 'not checked');
  if (p.reachable) return line('ok', name, `${endpoint} answers (${p.detail})`);
  const offline = /ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH/.test(p.detail);
  return line(
    'fail',
    name,
    `${endpoint} unreachable (${p.detail})`,
    offline
      ? 'check the network, DNS or proxy; offline, try `--sandbox`'
      : 'check the network, a firewall or proxy, and --endpoint / ALIBABA_CLOUD_LIVE_ENDPOINT; offline, try `--sandbox`',
  );
}

export function obsConfigLine(d: DoctorDeps, layout: ObsLayout | Error): CheckLine {
  if (layout instanceof Error)
    return line(
      'fail',
      'OBS config',
      layout.message,
      'start OBS once and close it, or pass --config-dir for a portable OBS',
    );
  return line('ok', 'OBS config', `${d.obsDir} (${layout.label})`);
}

export function websocketLine(ws: ObsWebsocketSettings | null): CheckLine {
  const name = 'obs-websocket';
  const fix =
    'close OBS and run `artc-ingest install --enable-websocket`, or in OBS: Tools > WebSocket Server Settings > Enable WebSocket server';
  if (!ws) return line('fail', name, 'no obs-websocket settings in the OBS config (OBS 28 or newer ships it)', fix);
  if (!ws.serverEnabled) return line('fail', name, `off (${ws.source})`, fix);
  if (!ws.authRequired)
    return line(
      'warn',
      name,
      `on, port ${ws.port}, without a password: any web page on this machine can control OBS`,
      'Tools > WebSocket Server Settings > Enable Authentication',
    );
  return line('ok', name, `on, port ${ws.port}, password set (${ws.source})`);
}

export async function obsConnectionLine(d: DoctorDeps, ws: ObsWebsocketSettings | null): Promise<CheckLine> {
  const name = 'OBS connection';
  if (!ws || !ws.serverEnabled) return line('warn', name, 'not tried: obs-websocket is off');
  const r = await d.connectObs(ws.url, ws.authRequired ? ws.password : undefined, d.timeoutMs);
  if (r.ok)
    return line(
      'ok',
      name,
      `OBS ${r.obsVersion} (obs-websocket ${r.wsVersion}) answers at ${ws.url}, password accepted`,
    );
  if (r.reason === 'refused')
    return line(
      'fail',
      name,
      `nothing answers at ${ws.url}`,
      'start OBS (with the WebSocket server on); a port changed in OBS takes effect after OBS saves its config',
    );
  if (r.reason === 'auth')
    return line(
      'fail',
      name,
      `OBS at ${ws.url} rejected the password in ${ws.source}`,
      'the password was changed while OBS runs: restart OBS (it saves the new one), or set it again in Tools > WebSocket Server Settings',
    );
  return line(
    'fail',
    name,
    `${ws.url}: ${r.detail}`,
    'restart OBS; if it persists, another program may hold that port',
  );
}

export function dockLine(d: DoctorDeps, layout: ObsLayout | Error): CheckLine {
  const name = 'Dock';
  const fix = 'close OBS and run `artc-ingest install`';
  if (layout instanceof Error) return line('warn', name, 'not checked: OBS config not found');
  let docks;
  try {
    docks = readDocks(readText(d, layout.docksIni) ?? '').docks;
  } catch (e) {
    return line(
      'fail',
      name,
      `${layout.docksIni}: ${(e as Error).message}`,
      'fix the docks in OBS (Docks > Custom Browser Docks), then ' + fix,
    );
  }
  const ours = docks.find((x) => x.title === DOCK_TITLE);
  if (!ours) return line('fail', name, `no "${DOCK_TITLE}" dock in ${layout.docksIni}`, fix);
  let url: URL;
  try {
    url = new URL(ours.url);
  } catch {
    return line('fail', name, `the "${DOCK_TITLE}" dock's URL is not a URL`, fix);
  }
  if (!d.token) return line('fail', name, 'the dock is there but this machine has no helper token yet', fix);
  if (url.searchParams.get('token') !== d.token)
    return line(
      'fail',
      name,
      `the "${DOCK_TITLE}" dock carries another token (from an older install or another config folder)`,
      fix,
    );
  if (url.port !== String(d.port))
    return line(
      'fail',
      name,
      `the dock points at port ${url.port}, the helper uses ${d.port}`,
      `close OBS and run \`artc-ingest install --port ${d.port}\``,
    );
  return line('ok', name, `"${DOCK_TITLE}" installed (${layout.docksIni}), token and port ${d.port} match`);
}

export function scriptLine(d: DoctorDeps, layout: ObsLayout | Error): CheckLine {
  const name = 'OBS script';
  const fix = 'close OBS and run `artc-ingest install`';
  const exists = d.exists ?? existsSync;
  if (layout instanceof Error) return line('warn', name, 'not checked: OBS config not found');
  let scripts;
  try {
    scripts = readScripts(readText(d, layout.sceneCollectionFile) ?? '').scripts;
  } catch (e) {
    return line('fail', name, `${layout.sceneCollectionFile}: ${(e as Error).message}`, fix);
  }
  const ours = scripts.find((s) => s.path.replace(/\\/g, '/').endsWith(`/${LUA_FILE_NAME}`));
  if (!ours)
    return line('fail', name, `${LUA_FILE_NAME} is not in scene collection "${layout.sceneCollectionName}"`, fix);
  if (!exists(ours.path))
    return line('fail', name, `registered, but ${ours.path} does not exist (moved or removed?)`, fix);
  const helper = ours.settings?.helper_path;
  if (typeof helper === 'string' && helper && !exists(helper))
    return line('fail', name, `its helper path ${helper} does not exist`, fix);
  return line('ok', name, `${LUA_FILE_NAME} registered in scene collection "${layout.sceneCollectionName}"`);
}

export async function helperPortLine(d: DoctorDeps): Promise<CheckLine> {
  const name = 'Helper port';
  const r = await probeHelper(d.port, d.token, d.fetch, d.timeoutMs);
  if (r.kind === 'free')
    return line('ok', name, `${d.port} is free (the helper is not running; OBS's script starts it)`);
  if (r.kind === 'ours')
    return line(
      'ok',
      name,
      `${d.port}: our helper answers${r.version ? ` (v${r.version}${r.mode ? `, ${r.mode} mode` : ''})` : ''}`,
    );
  if (r.kind === 'ours-other-token')
    return line(
      'fail',
      name,
      `${d.port}: an artc-ingest helper with another token answers (started with another config folder?)`,
      'stop that helper, or use another port (`artc-ingest install --port N`)',
    );
  return line(
    'fail',
    name,
    `${d.port} is taken by another program (${r.detail})`,
    'stop that program, or use another port (`artc-ingest install --port N`)',
  );
}
