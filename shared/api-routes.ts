/**
 * The helper's local JSON API, one typed route map shared by the dock's client and the helper's server.
 * Every request body and response is a zod/mini schema, so both sides check the same shapes.
 *
 * Auth: every `/api/*` call carries the per-install token in the `x-artc-token` header (the dock reads it from
 * its URL `?token=` once and keeps it). Errors are `{ code, message, retryable }` (+ requestId when the cloud
 * gave one) with a 4xx/5xx status.
 */
import * as z from 'zod/mini';
import { AppId, ChannelId, UserId } from './cloud-schemas.js';
import { ChannelRef, ChannelSettings, IntentBody, Preset } from './channel.js';

// the channel's shapes are the supervisor's too (shared/channel.ts); re-exported so a route's user finds its bodies here
export { ChannelRef, ChannelSettings, IntentBody, Preset };

export const TOKEN_HEADER = 'x-artc-token';

export const ApiErrorBody = z.object({
  code: z.string(),
  message: z.string(),
  retryable: z.boolean(),
  requestId: z.optional(z.string()),
  /** the field that was wrong, for input errors */
  field: z.optional(z.string()),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

export const IngestUrlBody = z.object({
  requestId: z.string(),
  rtmpAddress: z.string(),
  server: z.string(),
  streamKey: z.string(),
  /** ISO 8601 */
  expiresAt: z.string(),
});
export type IngestUrlBody = z.infer<typeof IngestUrlBody>;

export const ParticipantsBody = z.object({
  requestId: z.string(),
  users: z.array(z.string()),
  total: z.number(),
});
export type ParticipantsBody = z.infer<typeof ParticipantsBody>;

export const HealthBody = z.object({
  ok: z.boolean(),
  version: z.string(),
  mode: z.enum(['cloud', 'sandbox']),
  endpoint: z.string(),
  /** where the credentials came from, e.g. "environment", "~/.aliyun/config.json (profile default)", "sandbox" */
  credentialSource: z.string(),
  startedAt: z.string(),
});
export type HealthBody = z.infer<typeof HealthBody>;

export const ObsHintsBody = z.object({
  /** ws://127.0.0.1:4455 */
  url: z.string(),
  password: z.optional(z.string()),
  serverEnabled: z.optional(z.boolean()),
  authRequired: z.optional(z.boolean()),
  /** the file the hints were read from, or "default" */
  source: z.string(),
});
export type ObsHintsBody = z.infer<typeof ObsHintsBody>;

export const SettingsBody = z.object({
  presets: z.array(Preset).check(z.maxLength(50)),
  selectedPresetId: z.optional(z.string()),
  obsUrl: z.optional(z.string().check(z.maxLength(200))),
  language: z.optional(z.enum(['en', 'zh-CN'])),
});
export type SettingsBody = z.infer<typeof SettingsBody>;

/** One supervisor per OBS: the helper grants a lease; the holder renews it before ttl runs out. */
export const LeaseRequest = z.object({
  holder: z.string().check(z.minLength(1), z.maxLength(64)),
  obsUrl: z.string().check(z.maxLength(200)),
  ttlMs: z.int().check(z.minimum(1_000), z.maximum(120_000)),
  /** release instead of acquire/renew */
  release: z.optional(z.boolean()),
});
export type LeaseRequest = z.infer<typeof LeaseRequest>;

export const LeaseBody = z.object({
  granted: z.boolean(),
  holder: z.optional(z.string()),
  expiresAt: z.optional(z.string()),
});
export type LeaseBody = z.infer<typeof LeaseBody>;

/** Sandbox fault injection (only in sandbox mode): for demos in the dock and for tests. */
export const FaultRequest = z.union([
  z.object({
    kind: z.literal('fail-next'),
    action: z.enum(['CreateRoomRealTimeStreamAddress', 'DescribeChannelParticipants']),
    count: z.int().check(z.minimum(1), z.maximum(1000)),
    status: z.int().check(z.minimum(400), z.maximum(599)),
    code: z.string().check(z.minLength(1), z.maxLength(64)),
  }),
  z.object({ kind: z.literal('kick'), appId: AppId, channelId: ChannelId, userId: UserId }),
  z.object({ kind: z.literal('remove'), appId: AppId, channelId: ChannelId, userId: UserId }),
  z.object({ kind: z.literal('shift-clock'), seconds: z.int().check(z.minimum(-86_400 * 30), z.maximum(86_400 * 30)) }),
]);
export type FaultRequest = z.infer<typeof FaultRequest>;

/** The dock's alert settings, kept by the helper in alerts.json (the helper is authoritative). */
export const AlertFormatName = z.enum(['auto', 'json', 'dingtalk', 'feishu', 'slack', 'discord']);
export const AlertSettingsBody = z.object({
  /** '' turns the dock's webhook off (--alert-webhook flags still apply) */
  webhookUrl: z.string().check(z.maxLength(500)),
  /** 'auto': guessed from the URL's host, else json */
  format: AlertFormatName,
  /** DingTalk/Feishu signing secret: write only (PUT; omitted keeps the stored one, '' clears it) */
  secret: z.optional(z.string().check(z.maxLength(200))),
  /** GET: whether a secret is stored (it is never sent back) */
  hasSecret: z.optional(z.boolean()),
});
export type AlertSettingsBody = z.infer<typeof AlertSettingsBody>;

export const AlertTestBody = z.object({
  /** one line per target: "json http://host: ok" or why it failed */
  results: z.array(z.object({ target: z.string(), ok: z.boolean(), detail: z.string() })),
});
export type AlertTestBody = z.infer<typeof AlertTestBody>;

/** The route map: method + path -> request body schema (or null) and response schema. */
export const routes = {
  health: { method: 'GET', path: '/api/health', body: null, response: HealthBody },
  ingestUrl: { method: 'POST', path: '/api/ingest-url', body: ChannelSettings, response: IngestUrlBody },
  participants: { method: 'POST', path: '/api/participants', body: ChannelRef, response: ParticipantsBody },
  obsHints: { method: 'GET', path: '/api/obs-hints', body: null, response: ObsHintsBody },
  getSettings: { method: 'GET', path: '/api/settings', body: null, response: SettingsBody },
  putSettings: { method: 'PUT', path: '/api/settings', body: SettingsBody, response: SettingsBody },
  getIntent: { method: 'GET', path: '/api/intent', body: null, response: IntentBody },
  putIntent: { method: 'PUT', path: '/api/intent', body: IntentBody, response: IntentBody },
  lease: { method: 'POST', path: '/api/lease', body: LeaseRequest, response: LeaseBody },
  getAlerts: { method: 'GET', path: '/api/alerts', body: null, response: AlertSettingsBody },
  putAlerts: { method: 'PUT', path: '/api/alerts', body: AlertSettingsBody, response: AlertSettingsBody },
  testAlert: { method: 'POST', path: '/api/alerts/test', body: null, response: AlertTestBody },
  fault: { method: 'POST', path: '/api/sandbox/fault', body: FaultRequest, response: z.object({ ok: z.boolean() }) },
} as const;

export type Routes = typeof routes;
export type RouteName = keyof Routes;
export type RouteBody<N extends RouteName> = Routes[N]['body'] extends z.ZodMiniType
  ? z.infer<Routes[N]['body']>
  : undefined;
export type RouteResponse<N extends RouteName> = z.infer<Routes[N]['response']>;

/** Largest request body the helper reads, bytes (settings with 50 presets fit easily). */
export const MAX_BODY_BYTES = 64 * 1024;
