/**
 * Picks the cloud a command talks to: Alibaba Cloud with the user's AccessKey, or a running sandbox.
 * The endpoint: --endpoint, else env ALIBABA_CLOUD_LIVE_ENDPOINT, else https://live.aliyuncs.com.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { DEFAULT_ENDPOINT } from '../../shared/cloud-schemas.js';
import { LiveApiClient, parseEndpoint, type ClientOptions } from './api-client.js';
import { credentialChain } from './credential-chain.js';
import { describeInfo } from './credentials.js';
import { configDir, configFile } from '../paths.js';
import { UsageError } from '../usage-error.js';

export const SandboxState = z.object({
  pid: z.number(),
  endpoint: z.string(),
  rtmpPort: z.number(),
  accessKeyId: z.string(),
  accessKeySecret: z.string(),
  controlToken: z.optional(z.string()),
  helperUrl: z.optional(z.string()),
  startedAt: z.string(),
});
export type SandboxState = z.infer<typeof SandboxState>;

export const SANDBOX_FILE = 'sandbox.json';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The sandbox a `serve --sandbox` (or `run --sandbox`) process announced, if that process still runs. */
export function readSandboxState(env: NodeJS.ProcessEnv = process.env): SandboxState | null {
  const path = `${configDir({ env })}/${SANDBOX_FILE}`;
  if (!existsSync(path)) return null;
  try {
    const s = SandboxState.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return s.success && pidAlive(s.data.pid) ? s.data : null;
  } catch {
    return null;
  }
}

export function writeSandboxState(path: string, state: SandboxState): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

/** Removes sandbox.json only if it still describes this process (a later `serve` may have replaced it). */
export function removeSandboxState(path: string): void {
  try {
    if ((JSON.parse(readFileSync(path, 'utf8')) as { pid?: number }).pid === process.pid) rmSync(path, { force: true });
  } catch {
    // already gone or unreadable: nothing of ours to remove
  }
}

export function sandboxStatePath(env: NodeJS.ProcessEnv = process.env): string {
  return configFile(SANDBOX_FILE, { env });
}

export interface CloudChoice {
  client: LiveApiClient;
  mode: 'cloud' | 'sandbox';
  endpoint: string;
  credentialSource: string;
}

export interface CloudOptions {
  sandbox?: boolean;
  endpoint?: string | undefined;
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  client?: Partial<ClientOptions>;
}

export function resolveEndpoint(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const endpoint = flag ?? env.ALIBABA_CLOUD_LIVE_ENDPOINT ?? DEFAULT_ENDPOINT;
  try {
    return parseEndpoint(endpoint).origin;
  } catch (e) {
    throw new UsageError(`--endpoint: ${(e as Error).message.replace(/^endpoint: /, '')}`);
  }
}

/**
 * For one-shot commands (`url`, `participants`): never starts a sandbox, only finds a running one.
 * The credentials are resolved here once, so "no credentials" or a broken profile fails before any call.
 */
export async function connectCloud(o: CloudOptions): Promise<CloudChoice> {
  if (o.sandbox) {
    const s = readSandboxState(o.env);
    if (!s) {
      throw new UsageError(
        '--sandbox: no sandbox is running. Start one in another terminal with `artc-ingest serve --sandbox`, then try again.',
      );
    }
    const client = new LiveApiClient({
      endpoint: s.endpoint,
      credentials: { accessKeyId: s.accessKeyId, accessKeySecret: s.accessKeySecret },
      ...(o.fetch ? { fetch: o.fetch } : {}),
      ...o.client,
    });
    return { client, mode: 'sandbox', endpoint: s.endpoint, credentialSource: 'sandbox' };
  }
  const endpoint = resolveEndpoint(o.endpoint, o.env);
  const source = credentialChain({ env: o.env });
  await source.get();
  const client = new LiveApiClient({
    endpoint,
    credentials: source,
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...o.client,
  });
  return { client, mode: 'cloud', endpoint, credentialSource: describeInfo(source.info()) };
}
