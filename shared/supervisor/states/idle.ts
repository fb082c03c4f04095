/** `idle`: nothing supervised yet. Go live and resume (the root's) are the ways out; it owns no timer. */
import type { StateNode } from '../context.js';

export const idle: StateNode<'idle'> = { owns: [], on: {} };
