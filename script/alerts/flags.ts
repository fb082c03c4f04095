/**
 * The monitoring flags shared by `run` and `serve`: --metrics-listen, --health-grace, --alert-webhook (repeatable;
 * env ARTC_INGEST_ALERT_WEBHOOK, several separated by spaces), --alert-format, --alert-secret, --alert-after.
 * Every error names its flag (UsageError: exit 2, nothing started).
 */
import * as z from 'zod/mini';
import { stringFlag, UsageError, type OptionSpec } from '../cli/command.js';
import { parseMetricsListen, type MetricsListen } from '../metrics/listen-flag.js';
import { AlertFormat, guessFormat, type AlertTarget } from './formats.js';

export const MONITORING_OPTIONS: OptionSpec = {
  'metrics-listen': { type: 'string' },
  'health-grace': { type: 'string' },
  'alert-webhook': { type: 'string', multiple: true },
  'alert-format': { type: 'string' },
  'alert-secret': { type: 'string' },
  'alert-after': { type: 'string' },
};

export const MONITORING_HELP = `Monitoring (see README "Monitoring"):
  --metrics-listen <host:port>  serve GET /metrics (Prometheus) and GET /healthz there; off by default.
                                A non-loopback host is bound exactly as typed, with a warning
  --health-grace <sec>          /healthz answers 503 once off air longer than this (default 30)
  --alert-webhook <url>         POST alerts here (repeatable; env ARTC_INGEST_ALERT_WEBHOOK)
  --alert-format <f>            json|dingtalk|feishu|slack|discord (default: guessed from the URL's host, else json)
  --alert-secret <s>            DingTalk/Feishu signing secret (env ARTC_INGEST_ALERT_SECRET)
  --alert-after <sec>           send off-air once off air longer than this (default 30)`;

export interface MonitoringFlags {
  listen?: MetricsListen;
  graceMs: number;
  targets: AlertTarget[];
  afterMs: number;
}

const WebhookUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

function secondsFlag(flag: string, raw: unknown, dflt: number): number {
  if (raw === undefined) return dflt * 1000;
  const r = z
    .number()
    .check(z.gte(0), z.lte(86_400))
    .safeParse(/^\d+(\.\d+)?$/.test(String(raw)) ? Number(raw) : NaN);
  if (!r.success) throw new UsageError(`--${flag}: must be a number of seconds from 0 to 86400, got "${String(raw)}"`);
  return r.data * 1000;
}

export function webhookList(values: Record<string, unknown>, env: NodeJS.ProcessEnv): string[] {
  const raw = values['alert-webhook'];
  const flagged = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : [];
  const urls = flagged.length ? flagged : (env.ARTC_INGEST_ALERT_WEBHOOK ?? '').split(/\s+/).filter(Boolean);
  for (const u of urls) {
    // never echo the URL: a robot's URL carries its access token
    if (!WebhookUrl.safeParse(u).success)
      throw new UsageError(
        `--alert-webhook: must be an http:// or https:// URL (got one that is not${flagged.length ? '' : ', from ARTC_INGEST_ALERT_WEBHOOK'})`,
      );
  }
  return urls;
}

export function parseMonitoringFlags(values: Record<string, unknown>, env: NodeJS.ProcessEnv): MonitoringFlags {
  const listen = parseMetricsListen(values['metrics-listen']);
  const graceMs = secondsFlag('health-grace', values['health-grace'], 30);
  const afterMs = secondsFlag('alert-after', values['alert-after'], 30);
  let format: AlertFormat | undefined;
  if (values['alert-format'] !== undefined) {
    const r = AlertFormat.safeParse(values['alert-format']);
    if (!r.success)
      throw new UsageError(
        `--alert-format: must be one of json, dingtalk, feishu, slack, discord, got "${String(values['alert-format'])}"`,
      );
    format = r.data;
  }
  const secret = stringFlag(values, 'alert-secret') ?? env.ARTC_INGEST_ALERT_SECRET;
  const targets = webhookList(values, env).map((url) => ({
    url,
    format: format ?? guessFormat(url),
    ...(secret ? { secret } : {}),
  }));
  if (values['alert-format'] !== undefined && !targets.length)
    throw new UsageError('--alert-format: give --alert-webhook too (or set ARTC_INGEST_ALERT_WEBHOOK)');
  return { ...(listen ? { listen } : {}), graceMs, targets, afterMs };
}
