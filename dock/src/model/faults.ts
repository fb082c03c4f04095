/** The sandbox's demo faults (POST /api/sandbox/fault), aimed at the channel in the form. */
import type { FaultRequest } from '../../../shared/api-routes.js';
import type { FormValues } from './channel-form.js';
import type { FaultKind } from './types.js';

/** Eleven hours: past a short test URL's expiry, so the supervisor's refresh and expiry paths show. */
export const SHIFT_SECONDS = 11 * 3600;

export function faultRequest(kind: FaultKind, v: FormValues): FaultRequest {
  switch (kind) {
    case 'kick':
    case 'remove':
      return { kind, appId: v.appId, channelId: v.channelId, userId: v.userId };
    case 'fail-next':
      return { kind, action: 'CreateRoomRealTimeStreamAddress', count: 3, status: 503, code: 'ServiceUnavailable' };
    case 'shift-clock':
      return { kind, seconds: SHIFT_SECONDS };
  }
}
