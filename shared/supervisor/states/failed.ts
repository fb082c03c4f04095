/**
 * `failed`: needs the user (`why`: an auth or input error, 4009/4011, the lease held or lost, retries exhausted,
 * the recovery limit). Go live (the root's) or "Retry now" with the last channel starts again.
 */
import type { StateNode } from '../context.js';
import { goLive } from '../enter.js';

export const failed: StateNode<'failed'> = {
  owns: [],
  on: {
    'user-retry-now': (tx, s) => (tx.ctx.channel ? goLive(tx, s, tx.ctx.channel, 'go-live') : s),
  },
};
