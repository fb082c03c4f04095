/** The supervisor's public surface: the pure `step`, its vocabulary, the runner, the action log and the snapshot. */
export * from './types.js';
export { step } from './step.js';
export { initialState, type InitOptions } from './context.js';
export { refreshAheadMs } from './effects/refresh.js';
export { ActionLog, type ActionLogOptions, type Counters, type LogEntry } from './log.js';
export { toSnapshot, type Snapshot } from './snapshot.js';
export { SupervisorRunner } from './runner.js';
export {
  DEFAULT_DEADLINES,
  type ApiPort,
  type Deadlines,
  type IntentPort,
  type LeasePort,
  type ObsPort,
  type RunnerOptions,
  type TimerApi,
} from './runner-ports.js';
