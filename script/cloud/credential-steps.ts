/**
 * The candidates of Alibaba Cloud's default credential chain, in @alicloud/credentials' own order
 * (providers/default.js): environment, OIDC, the aliyun CLI config, the INI credentials file, the ECS
 * instance role, ALIBABA_CLOUD_CREDENTIALS_URI. Each candidate is one of the library's own providers; we
 * build them from an injected env and home (the library's default chain reads process.env and os.homedir()
 * at construction, which tests and the helper's `env` option cannot steer) and we keep which one answered,
 * so `doctor` can say "RamRoleArn via ~/.aliyun/config.json profile prod".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import * as official from '@alicloud/credentials';
import type Credential from '@alicloud/credentials';
import {
  CLIProfileCredentialsProvider,
  ECSRAMRoleCredentialsProvider,
  OIDCRoleArnCredentialsProvider,
  StaticAKCredentialsProvider,
  StaticSTSCredentialsProvider,
  URICredentialsProvider,
} from '@alicloud/credentials';
import { parseIni } from '../ini.js';
import { INI_REQUIRED, iniConfig } from './credential-ini.js';

/**
 * The library's `Credential` class. It is CommonJS with `exports.default = Credential`: a Node-style ESM import
 * (the Vite bundle, Node itself) sees module.exports as the default, a bundler-style one sees the class; take
 * whichever is the constructor. test/integration/cli-credentials.test.ts runs the bundle on an INI `sts` type.
 */
function credentialClass(): typeof Credential {
  const d = (official as unknown as { default?: unknown }).default;
  const inner = (d as { default?: unknown } | undefined)?.default;
  const ctor = typeof inner === 'function' ? inner : d;
  if (typeof ctor !== 'function') throw new Error('@alicloud/credentials: no Credential class found');
  return ctor as typeof Credential;
}

/** What every official provider offers (their d.ts types differ by class; this is the shared shape). */
export interface OfficialProvider {
  getCredentials(): Promise<{ accessKeyId: string; accessKeySecret: string; securityToken?: string | undefined }>;
}

export interface Step {
  type: string;
  source: string;
  provider: OfficialProvider;
}

/** A candidate that is present but cannot even be built (bad file, missing field): reported, then skipped. */
export interface BrokenStep {
  type: string;
  source: string;
  error: string;
}

export interface StepOptions {
  env: NodeJS.ProcessEnv;
  home: string;
  /** shown instead of `home` in sources: "~" */
  homeLabel?: string;
}

export const ECS_SOURCE = 'ECS instance metadata';
const isTrue = (v: string | undefined) => v?.toLowerCase() === 'true';

function envStep(env: NodeJS.ProcessEnv): Step | BrokenStep | null {
  const id = env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const secret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  const token = env.ALIBABA_CLOUD_SECURITY_TOKEN;
  if (!id && !secret) return null;
  const type = token ? 'StsToken' : 'AK';
  const source = `environment (ALIBABA_CLOUD_ACCESS_KEY_ID${token ? ', ALIBABA_CLOUD_SECURITY_TOKEN' : ''})`;
  if (!id || !secret)
    return {
      type,
      source,
      error: 'ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET must be set together',
    };
  const provider = token
    ? StaticSTSCredentialsProvider.builder()
        .withAccessKeyId(id)
        .withAccessKeySecret(secret)
        .withSecurityToken(token)
        .build()
    : StaticAKCredentialsProvider.builder().withAccessKeyId(id).withAccessKeySecret(secret).build();
  return { type, source, provider };
}

function oidcStep(env: NodeJS.ProcessEnv): Step | BrokenStep | null {
  const tokenFile = env.ALIBABA_CLOUD_OIDC_TOKEN_FILE;
  const providerArn = env.ALIBABA_CLOUD_OIDC_PROVIDER_ARN;
  const roleArn = env.ALIBABA_CLOUD_ROLE_ARN;
  if (!tokenFile && !providerArn) return null;
  const source = 'environment (ALIBABA_CLOUD_OIDC_TOKEN_FILE, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_ROLE_ARN)';
  if (!tokenFile || !providerArn || !roleArn)
    return {
      type: 'OIDC',
      source,
      error:
        'ALIBABA_CLOUD_OIDC_TOKEN_FILE, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_ROLE_ARN must all be set',
    };
  const b = OIDCRoleArnCredentialsProvider.builder()
    .withOIDCTokenFilePath(tokenFile)
    .withOIDCProviderArn(providerArn)
    .withRoleArn(roleArn);
  if (env.ALIBABA_CLOUD_ROLE_SESSION_NAME) b.withRoleSessionName(env.ALIBABA_CLOUD_ROLE_SESSION_NAME);
  if (env.ALIBABA_CLOUD_STS_REGION) b.withStsRegionId(env.ALIBABA_CLOUD_STS_REGION);
  if (isTrue(env.ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED)) b.withEnableVpc(true);
  return built('OIDC', source, () => b.build());
}

const CliConfig = z.object({
  current: z.optional(z.string()),
  profiles: z.array(z.looseObject({ name: z.string(), mode: z.optional(z.string()) })),
});

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function cliStep(o: StepOptions, looked: string[]): Step | BrokenStep | null {
  if (isTrue(o.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED)) return null;
  const label = join(o.homeLabel ?? o.home, '.aliyun', 'config.json');
  looked.push(label);
  const text = readText(join(o.home, '.aliyun', 'config.json'));
  if (text === undefined) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { type: 'aliyun CLI', source: label, error: 'not valid JSON' };
  }
  const conf = CliConfig.safeParse(json);
  if (!conf.success) return { type: 'aliyun CLI', source: label, error: 'unexpected layout (no "profiles" list)' };
  const name = o.env.ALIBABA_CLOUD_PROFILE || conf.data.current || 'default';
  const profile = conf.data.profiles.find((p) => p.name === name);
  const source = `${label} profile ${name}`;
  if (!profile) return { type: 'aliyun CLI', source, error: `no profile named "${name}"` };
  const type = profile.mode ?? 'AK';
  const known = [
    'AK',
    'StsToken',
    'RamRoleArn',
    'ChainableRamRoleArn',
    'EcsRamRole',
    'OIDC',
    'CloudSSO',
    'OAuth',
    'External',
  ];
  if (!known.includes(type))
    return { type, source, error: `mode ${type} is not one @alicloud/credentials supports (${known.join(', ')})` };
  return built(type, source, () => {
    const p = CLIProfileCredentialsProvider.builder().withProfileName(name).build();
    // the library reads ~/.aliyun/config.json under this field ("used for mock" in its source)
    (p as unknown as { homedir: string }).homedir = o.home;
    return p;
  });
}

function iniStep(o: StepOptions, looked: string[]): Step | BrokenStep | null {
  const path = o.env.ALIBABA_CLOUD_CREDENTIALS_FILE || join(o.home, '.alibabacloud', 'credentials');
  const label = o.env.ALIBABA_CLOUD_CREDENTIALS_FILE
    ? path
    : join(o.homeLabel ?? o.home, '.alibabacloud', 'credentials');
  looked.push(label);
  const text = readText(path);
  if (text === undefined) return null;
  const name = o.env.ALIBABA_CLOUD_PROFILE || 'default';
  const section = parseIni(text).get(name);
  const source = `${label} [${name}]`;
  if (!section) return { type: 'INI', source, error: `no section [${name}]` };
  const type = section.get('type') ?? 'INI';
  const config = iniConfig(section);
  if (typeof config === 'string') return { type, source, error: config };
  const missing = (INI_REQUIRED[type] ?? []).filter((k) => !section.get(k));
  if (missing.length) return { type, source, error: `type ${type} needs ${missing.join(', ')}` };
  return built(type, source, () => {
    const Official = credentialClass();
    const c = new Official(config as ConstructorParameters<typeof Credential>[0]);
    return { getCredentials: () => c.getCredential(), credential: c } as OfficialProvider;
  });
}

/**
 * The ECS instance role, only when asked for: `ALIBABA_CLOUD_ECS_METADATA` (the role name, the official chain's own
 * variable) or `ALIBABA_CLOUD_ECS_METADATA_ENABLED=true` (the role name read from the metadata server). The
 * official default chain always probes 100.100.100.200; a helper that starts with OBS on a streaming PC is almost
 * never on ECS, and probing there on every start would send traffic off the machine nobody asked for (and wait
 * out its timeout where the packet is dropped). An `EcsRamRole` CLI profile or `ecs_ram_role` INI type still works.
 */
export function ecsWanted(env: NodeJS.ProcessEnv): boolean {
  if (isTrue(env.ALIBABA_CLOUD_ECS_METADATA_DISABLED)) return false;
  return Boolean(env.ALIBABA_CLOUD_ECS_METADATA) || isTrue(env.ALIBABA_CLOUD_ECS_METADATA_ENABLED);
}

function ecsStep(env: NodeJS.ProcessEnv): Step | BrokenStep | null {
  if (!ecsWanted(env)) return null;
  const role = env.ALIBABA_CLOUD_ECS_METADATA;
  const b = ECSRAMRoleCredentialsProvider.builder().withConnectTimeout(1000).withReadTimeout(1000);
  if (role) b.withRoleName(role);
  if (isTrue(env.ALIBABA_CLOUD_IMDSV1_DISABLED)) b.withDisableIMDSv1(true);
  return built('EcsRamRole', `${ECS_SOURCE} (100.100.100.200${role ? `, role ${role}` : ''})`, () => b.build());
}

function uriStep(env: NodeJS.ProcessEnv): Step | BrokenStep | null {
  const uri = env.ALIBABA_CLOUD_CREDENTIALS_URI;
  if (!uri) return null;
  return built('credentials_uri', 'ALIBABA_CLOUD_CREDENTIALS_URI', () =>
    URICredentialsProvider.builder().withCredentialsURI(uri).build(),
  );
}

function built(type: string, source: string, make: () => OfficialProvider): Step | BrokenStep {
  try {
    return { type, source, provider: make() };
  } catch (e) {
    return { type, source, error: (e as Error).message };
  }
}

/** Keys whose values are secrets (`access_key_secret`, `sts_token`, `access_token`, ...), not paths to them. */
const SECRET_KEY = /secret|token/i;
const PATH_KEY = /(_file|_path|Path|File)$/;

/** Every secret the sources hold, so a library message that quotes one can be redacted before anyone sees it. */
function knownSecrets(o: StepOptions): string[] {
  const out = [o.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET, o.env.ALIBABA_CLOUD_SECURITY_TOKEN];
  const add = (k: string, v: unknown) => {
    if (typeof v === 'string' && SECRET_KEY.test(k) && !PATH_KEY.test(k)) out.push(v);
  };
  try {
    const conf = JSON.parse(readText(join(o.home, '.aliyun', 'config.json')) ?? 'null') as {
      profiles?: Array<Record<string, unknown>>;
    } | null;
    for (const p of conf?.profiles ?? []) for (const [k, v] of Object.entries(p ?? {})) add(k, v);
  } catch {
    // not JSON: the CLI step reports it, and the library never reads it
  }
  const ini = readText(o.env.ALIBABA_CLOUD_CREDENTIALS_FILE || join(o.home, '.alibabacloud', 'credentials'));
  if (ini !== undefined) for (const section of parseIni(ini).values()) for (const [k, v] of section) add(k, v);
  return out.filter((s): s is string => !!s && s.length >= 4);
}

/** The chain's candidates, in the official order, every place looked at (for "nothing found") and the secrets. */
export function chainSteps(o: StepOptions): { steps: Array<Step | BrokenStep>; looked: string[]; secrets: string[] } {
  const looked: string[] = [
    'environment (ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET)',
    'environment (ALIBABA_CLOUD_OIDC_TOKEN_FILE)',
  ];
  const steps = [
    envStep(o.env),
    oidcStep(o.env),
    cliStep(o, looked),
    iniStep(o, looked),
    ecsStep(o.env),
    uriStep(o.env),
  ];
  if (ecsWanted(o.env)) looked.push('ECS instance metadata (100.100.100.200)');
  looked.push('ALIBABA_CLOUD_CREDENTIALS_URI');
  return { steps: steps.filter((s): s is Step | BrokenStep => s !== null), looked, secrets: knownSecrets(o) };
}
