/** The cloud checks: the credentials the helper would use, the endpoint it would call, and the clock (signatures). */
import { redact } from '../cloud/errors.js';
import { CredentialsError, describeInfo, type CredentialSource } from '../cloud/credentials.js';
import { line, type CheckLine, type DoctorDeps } from './check-line.js';

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
