/**
 * A channel as the dock, the helper and the supervisor name it (camelCase; mapped to the API's PascalCase by
 * script/cloud/), a saved preset, and the supervisor's intent. Here, not in the route map (shared/api-routes.ts),
 * so the supervisor depends on what a channel is, not on the helper's HTTP routes.
 */
import * as z from 'zod/mini';
import { AppId, ChannelId, DisplayName, ExpireTime, UserId } from './cloud-schemas.js';

/** Channel settings as the dock and the supervisor name them (camelCase); mapped to the API's PascalCase. */
export const ChannelSettings = z.object({
  appId: AppId,
  channelId: ChannelId,
  userId: UserId,
  displayName: DisplayName,
  expireTime: z.optional(ExpireTime),
});
export type ChannelSettings = z.infer<typeof ChannelSettings>;

export const ChannelRef = z.object({ appId: AppId, channelId: ChannelId });
export type ChannelRef = z.infer<typeof ChannelRef>;

export const Preset = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  name: z.string().check(z.minLength(1), z.maxLength(64)),
  channel: ChannelSettings,
});
export type Preset = z.infer<typeof Preset>;

/** The supervisor's intent, kept by the helper so a dock reload, helper restart or OBS restart resumes supervision. */
export const IntentBody = z.object({
  shouldBeLive: z.boolean(),
  channel: z.optional(ChannelSettings),
  updatedAt: z.optional(z.string()),
  /** who set it: 'dock' | 'run' | 'user' */
  by: z.optional(z.string().check(z.maxLength(32))),
});
export type IntentBody = z.infer<typeof IntentBody>;
