/**
 * The Credentials port: where every signed call gets its AccessKey, asked per request. Behind it in
 * production is Alibaba Cloud's own chain (@alicloud/credentials, see credential-chain.ts), which caches
 * STS credentials and fetches new ones 15 min before their Expiration; the sandbox uses fixed ones.
 * Nothing here ever prints a secret or a token: `info()` names the type and the source only.
 */
import type { Credentials } from './sign-v3.js';

export interface CredentialInfo {
  /** aliyun CLI mode names (AK, StsToken, RamRoleArn, ...) or the INI `type` as written (ram_role_arn, ...) */
  type: string;
  /** where they came from, e.g. "~/.aliyun/config.json profile prod"; never a secret */
  source: string;
  /** ms since epoch: when the current STS credentials expire, when the provider knows it */
  expiresAt?: number | undefined;
}

export interface CredentialSource {
  /** The current credentials (cached by the provider; STS ones are refreshed ahead of expiry). */
  get(): Promise<Credentials>;
  /** Forgets what is cached and resolves again: the cloud refused the token we had. */
  refresh(): Promise<Credentials>;
  /** Type and source of the credentials last resolved (before the first `get`, of the first candidate). */
  info(): CredentialInfo;
  /** Every secret and token handed out so far, for redacting messages that quote remote text. */
  secrets(): string[];
}

export class CredentialsError extends Error {
  override name = 'CredentialsError';
  /**
   * @param looked every place the chain looked, with why each failed (never a secret)
   * @param found false when no place had any credentials at all (the helper then offers the sandbox)
   */
  constructor(
    message: string,
    readonly looked: string[],
    readonly found = true,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `RamRoleArn via ~/.aliyun/config.json profile prod` */
export function describeInfo(i: CredentialInfo): string {
  return `${i.type} via ${i.source}`;
}

/** Fixed credentials (the sandbox's, or a test's): nothing to refresh. */
export function staticCredentials(
  credentials: Credentials,
  info: CredentialInfo = { type: credentials.securityToken ? 'StsToken' : 'AK', source: 'sandbox' },
): CredentialSource {
  const secrets = [credentials.accessKeySecret, credentials.securityToken].filter((s): s is string => !!s);
  return {
    get: async () => credentials,
    refresh: async () => credentials,
    info: () => info,
    secrets: () => secrets,
  };
}

export function isCredentialSource(v: Credentials | CredentialSource): v is CredentialSource {
  return typeof (v as CredentialSource).get === 'function';
}

/** The places looked at, as a readable list for an error message. */
export function formatLooked(looked: readonly string[]): string {
  return looked.map((l) => `  - ${l}`).join('\n');
}

export const NO_CREDENTIALS_HINT =
  'Set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, run `aliyun configure` (any mode, e.g. --mode RamRoleArn), ' +
  'or use --sandbox to try artc-ingest without an account.';
