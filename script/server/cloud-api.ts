/**
 * The two cloud operations as the helper's API offers them: the dock's camelCase ChannelSettings mapped to
 * the OpenAPI's PascalCase parameters, times as ISO strings. Takes anything shaped like LiveApiClient.
 */
import type { ChannelRef, ChannelSettings, IngestUrlBody, ParticipantsBody } from '../../shared/api-routes.js';
import type { LiveApiClient } from '../cloud/api-client.js';

export interface CloudApi {
  mint(channel: ChannelSettings): Promise<IngestUrlBody>;
  participants(ref: ChannelRef): Promise<ParticipantsBody>;
}

export type LiveClientLike = Pick<LiveApiClient, 'createRoomRealTimeStreamAddress' | 'describeChannelParticipants'>;

export function toCreateParams(c: ChannelSettings) {
  return {
    AppId: c.appId,
    ChannelId: c.channelId,
    UserId: c.userId,
    DisplayName: c.displayName,
    ...(c.expireTime !== undefined ? { ExpireTime: c.expireTime } : {}),
  };
}

export function cloudApi(client: LiveClientLike): CloudApi {
  return {
    async mint(channel) {
      const u = await client.createRoomRealTimeStreamAddress(toCreateParams(channel));
      return {
        requestId: u.requestId,
        rtmpAddress: u.rtmpAddress,
        server: u.server,
        streamKey: u.streamKey,
        expiresAt: new Date(u.expiresAt).toISOString(),
      };
    },
    async participants(ref) {
      const p = await client.describeChannelParticipants({ AppId: ref.appId, ChannelId: ref.channelId });
      return { requestId: p.requestId, users: p.users, total: p.total };
    },
  };
}
