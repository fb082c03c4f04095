/** A doctor line `{ status, name, detail, fix }`, the deps every check does its I/O through, and their helpers. */
import type { CredentialSource } from '../cloud/credentials.js';
import type { SandboxState } from '../cloud/cloud.js';
import type { ObsWebsocketSettings } from '../obs-config.js';
import type { ObsLayout } from '../install/obs-layout.js';
import { readBytes } from '../install/files.js';
import type { ConnectObs } from './obs-probe.js';

export type Status = 'ok' | 'warn' | 'fail';
export interface CheckLine {
  status: Status;
  name: string;
  detail: string;
  fix?: string;
}

export interface DoctorDeps {
  now: () => number;
  fetch: typeof fetch;
  sandbox: boolean;
  /** the cloud endpoint (origin) the helper would call */
  endpoint: string;
  obsDir: string;
  port: number;
  token: string | undefined;
  platform: NodeJS.Platform;
  timeoutMs: number;
  /** the credential chain the helper would use (doctor resolves it once: STS ones are fetched for real) */
  credentials: () => CredentialSource;
  readSandbox: () => SandboxState | null;
  /** OBS's layout, or the reason it could not be read */
  layout: () => ObsLayout | Error;
  readWebsocket: () => ObsWebsocketSettings | null;
  connectObs: ConnectObs;
  readText?: (path: string) => string | undefined;
  exists?: (path: string) => boolean;
}

export const line = (status: Status, name: string, detail: string, fix?: string): CheckLine => ({
  status,
  name,
  detail,
  ...(fix ? { fix } : {}),
});
export const readText = (d: DoctorDeps, p: string) => (d.readText ? d.readText(p) : readBytes(p)?.toString('utf8'));
