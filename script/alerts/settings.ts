/**
 * The dock's alert settings, kept by the helper in `<configDir>/alerts.json` (0600: the robot URL carries its
 * access token, the secret signs). The helper is authoritative: `serve`'s alerts go to the --alert-webhook
 * targets plus the one stored here, read on every alert. The secret is never sent back to the dock.
 */
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import type { AlertSettingsBody, AlertTestBody } from '../../shared/api-routes.js';
import { HttpError } from '../server/http-error.js';
import { createJsonStore } from '../server/json-store.js';
import { postOnce, type DeliveryDeps } from './delivery.js';
import { describeTarget, guessFormat, type AlertBody, type AlertTarget } from './formats.js';

const Stored = z.object({
  webhookUrl: z.string(),
  format: z.enum(['auto', 'json', 'dingtalk', 'feishu', 'slack', 'discord']),
  secret: z.optional(z.string()),
});
type Stored = z.infer<typeof Stored>;

export interface AlertSettings {
  read(): Promise<AlertSettingsBody>;
  write(s: AlertSettingsBody): Promise<AlertSettingsBody>;
  test(): Promise<AlertTestBody>;
  /** the flags' targets plus the stored one (cached: refreshed on write and at start) */
  targets(): AlertTarget[];
}

export interface AlertSettingsOptions {
  dir: string;
  flagTargets: AlertTarget[];
  deps: Pick<DeliveryDeps, 'fetch' | 'now' | 'setTimer' | 'clearTimer'>;
  channel: () => { appId: string; channelId: string; userId: string } | null;
  log?: (line: string) => void;
}

function storedTarget(s: Stored): AlertTarget[] {
  if (!s.webhookUrl) return [];
  return [
    {
      url: s.webhookUrl,
      format: s.format === 'auto' ? guessFormat(s.webhookUrl) : s.format,
      ...(s.secret ? { secret: s.secret } : {}),
    },
  ];
}

export async function alertSettings(o: AlertSettingsOptions): Promise<AlertSettings> {
  const path = join(o.dir, 'alerts.json');
  const store = createJsonStore<Stored>({
    path,
    schema: Stored,
    defaults: () => ({ webhookUrl: '', format: 'auto' }),
    ...(o.log ? { log: o.log } : {}),
  });
  let current = await store.read();
  const view = (s: Stored): AlertSettingsBody => ({
    webhookUrl: s.webhookUrl,
    format: s.format,
    hasSecret: Boolean(s.secret),
  });
  return {
    read: async () => view(current),
    async write(s) {
      if (s.webhookUrl && !/^https?:\/\/[^\s/]+/i.test(s.webhookUrl))
        throw new HttpError({
          status: 400,
          code: 'InvalidParameter',
          message: 'webhookUrl: must be an http:// or https:// URL',
          field: 'webhookUrl',
        });
      const secret = s.secret === undefined ? current.secret : s.secret || undefined;
      current = await store.write({ webhookUrl: s.webhookUrl, format: s.format, ...(secret ? { secret } : {}) });
      try {
        chmodSync(path, 0o600);
      } catch {
        /* Windows: ACLs, not modes */
      }
      return view(current);
    },
    async test() {
      const ch = o.channel();
      const alert: AlertBody = {
        event: 'test',
        at: new Date(o.deps.now()).toISOString(),
        appId: ch?.appId ?? '',
        channelId: ch?.channelId ?? '',
        userId: ch?.userId ?? '',
        reason: 'test',
        message: 'a test alert from the artc-ingest dock',
        offAirSeconds: 0,
      };
      const all = [...o.flagTargets, ...storedTarget(current)];
      const results = await Promise.all(
        all.map(async (t) => {
          const failure = await postOnce(t, alert, o.deps);
          return { target: describeTarget(t), ok: failure === null, detail: failure ?? 'delivered' };
        }),
      );
      return { results };
    },
    targets: () => [...o.flagTargets, ...storedTarget(current)],
  };
}
