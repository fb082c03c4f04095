/**
 * Finds an AccessKey the way Alibaba Cloud's own tools do (@alicloud/credentials' default chain, minus the
 * OIDC and instance-role providers that a desktop helper has no use for):
 *   1. env ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET (+ ALIBABA_CLOUD_SECURITY_TOKEN)
 *   2. the aliyun CLI's ~/.aliyun/config.json, profile ALIBABA_CLOUD_PROFILE or the file's `current` (modes AK, StsToken)
 *   3. the INI file ~/.alibabacloud/credentials (or ALIBABA_CLOUD_CREDENTIALS_FILE), section ALIBABA_CLOUD_PROFILE or [default]
 * File access is injected so tests run on fixtures.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod/mini';
import type { Credentials } from './sign-v3.js';
import { parseIni } from './ini.js';

export interface FoundCredentials {
  credentials: Credentials;
  /** human description, never the secret: "environment", "~/.aliyun/config.json (profile default)" */
  source: string;
}

export class CredentialsError extends Error {
  override name = 'CredentialsError';
  constructor(message: string, readonly looked: string[]) {
    super(message);
  }
}

export interface CredentialEnv {
  env?: NodeJS.ProcessEnv;
  home?: string;
  readFile?: (path: string) => string | undefined;
}

const AliyunConfig = z.object({
  current: z.optional(z.string()),
  profiles: z.array(
    z.object({
      name: z.string(),
      mode: z.optional(z.string()),
      access_key_id: z.optional(z.string()),
      access_key_secret: z.optional(z.string()),
      sts_token: z.optional(z.string()),
    }),
  ),
});

function defaultRead(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Returns the first credentials found, or null with the list of places looked at. */
export function findCredentials(opts: CredentialEnv = {}): FoundCredentials | { looked: string[] } {
  const env = opts.env ?? process.env;
  const home = opts.home ?? homedir();
  const read = opts.readFile ?? defaultRead;
  const looked: string[] = [];
  const profile = env.ALIBABA_CLOUD_PROFILE || undefined;

  looked.push('environment (ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET)');
  if (env.ALIBABA_CLOUD_ACCESS_KEY_ID || env.ALIBABA_CLOUD_ACCESS_KEY_SECRET) {
    if (!env.ALIBABA_CLOUD_ACCESS_KEY_ID || !env.ALIBABA_CLOUD_ACCESS_KEY_SECRET) {
      throw new CredentialsError('ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET must be set together', looked);
    }
    return {
      credentials: { accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID, accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET, securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN || undefined },
      source: env.ALIBABA_CLOUD_SECURITY_TOKEN ? 'environment (STS token)' : 'environment',
    };
  }

  const cliPath = join(home, '.aliyun', 'config.json');
  looked.push(cliPath);
  const cli = fromAliyunConfig(read(cliPath), cliPath, profile);
  if (cli) return cli;

  const iniPath = env.ALIBABA_CLOUD_CREDENTIALS_FILE || join(home, '.alibabacloud', 'credentials');
  looked.push(iniPath);
  const ini = fromIni(read(iniPath), iniPath, profile);
  if (ini) return ini;

  return { looked };
}

function fromAliyunConfig(text: string | undefined, path: string, profile: string | undefined): FoundCredentials | null {
  if (text === undefined) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CredentialsError(`${path}: not valid JSON`, [path]);
  }
  const parsed = AliyunConfig.safeParse(json);
  if (!parsed.success) throw new CredentialsError(`${path}: unexpected layout (profiles missing)`, [path]);
  const name = profile ?? parsed.data.current ?? 'default';
  const p = parsed.data.profiles.find((x) => x.name === name);
  if (!p) return null;
  const mode = p.mode ?? 'AK';
  if (mode !== 'AK' && mode !== 'StsToken') {
    throw new CredentialsError(`${path}: profile "${name}" uses mode ${mode}; artc-ingest supports AK and StsToken`, [path]);
  }
  if (!p.access_key_id || !p.access_key_secret) throw new CredentialsError(`${path}: profile "${name}" has no access_key_id / access_key_secret`, [path]);
  if (mode === 'StsToken' && !p.sts_token) throw new CredentialsError(`${path}: profile "${name}" is StsToken but has no sts_token`, [path]);
  return {
    credentials: { accessKeyId: p.access_key_id, accessKeySecret: p.access_key_secret, securityToken: mode === 'StsToken' ? p.sts_token : undefined },
    source: `${path} (profile ${name}${mode === 'StsToken' ? ', STS token' : ''})`,
  };
}

function fromIni(text: string | undefined, path: string, profile: string | undefined): FoundCredentials | null {
  if (text === undefined) return null;
  const sections = parseIni(text);
  const name = profile ?? 'default';
  const s = sections.get(name);
  if (!s) return null;
  const type = s.get('type') ?? 'access_key';
  const id = s.get('access_key_id');
  const secret = s.get('access_key_secret');
  if (type !== 'access_key' && type !== 'sts') {
    throw new CredentialsError(`${path}: [${name}] type = ${type}; artc-ingest supports access_key and sts`, [path]);
  }
  if (!id || !secret) throw new CredentialsError(`${path}: [${name}] needs access_key_id and access_key_secret`, [path]);
  const token = type === 'sts' ? s.get('security_token') : undefined;
  return { credentials: { accessKeyId: id, accessKeySecret: secret, securityToken: token }, source: `${path} [${name}]` };
}

/** Like findCredentials, but throws a clear error that lists where it looked. */
export function requireCredentials(opts: CredentialEnv = {}): FoundCredentials {
  const r = findCredentials(opts);
  if ('credentials' in r) return r;
  throw new CredentialsError(
    `No Alibaba Cloud AccessKey found. Looked in:\n${r.looked.map((l) => `  - ${l}`).join('\n')}\n` +
      'Set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or run `aliyun configure`, ' +
      'or use --sandbox to try artc-ingest without an account.',
    r.looked,
  );
}
