/** `stopped-by-user`: supervision ended by the user, intent saved as not live. Go live (the root's) starts again. */
import type { StateNode } from '../context.js';

export const stoppedByUser: StateNode<'stopped-by-user'> = { owns: [], on: {} };
