/**
 * The production CredentialSource: the official chain's candidates (credential-steps.ts) tried in order
 * until one answers, like the library's DefaultCredentialsProvider; from then on every `get()` asks that
 * provider, which caches STS credentials and fetches new ones 15 min before their Expiration. `refresh()`
 * builds the candidates afresh (re-reading the files) and resolves again: the cloud refused our token, so
 * whatever the provider cached is no use. Failures name the candidate and the library's reason, redacted.
 */
import { homedir } from 'node:os';
import * as z from 'zod/mini';
import { redact } from './errors.js';
import type { Credentials } from './sign-v3.js';
import {
  CredentialsError,
  NO_CREDENTIALS_HINT,
  formatLooked,
  type CredentialInfo,
  type CredentialSource,
} from './credentials.js';
import { ECS_SOURCE, chainSteps, type OfficialProvider, type Step } from './credential-steps.js';
import { withDeadline } from '../../shared/deadline.js';

export interface ChainOptions {
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** deadline for one provider answer (an AssumeRole round trip, the ECS metadata server) */
  timeoutMs?: number;
}

const Answer = z.object({
  accessKeyId: z.string().check(z.minLength(1)),
  accessKeySecret: z.string().check(z.minLength(1)),
  securityToken: z.optional(z.nullable(z.string())),
});
const Expiration = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/));
/** How many secrets to remember for redaction: a week of hourly STS refreshes and then some. */
const MAX_SECRETS = 400;

/** One answer of a candidate's provider, within the deadline, checked. */
async function credentialsFrom(step: Step, timeoutMs: number): Promise<Credentials> {
  const raw = await withDeadline(
    step.provider.getCredentials(),
    timeoutMs,
    `${step.type} via ${step.source} gave no credentials within ${timeoutMs} ms`,
  );
  const parsed = Answer.safeParse(raw);
  if (!parsed.success) throw new Error('the provider returned no AccessKeyId / AccessKeySecret');
  return {
    accessKeyId: parsed.data.accessKeyId,
    accessKeySecret: parsed.data.accessKeySecret,
    securityToken: parsed.data.securityToken || undefined,
  };
}

/** The active candidate failed to answer again (retryable), its reason redacted. */
function refreshFailed(step: Step, e: unknown, seen: string[]): CredentialsError {
  // no `cause`: the library's own error is not redacted
  return new CredentialsError(
    `${step.type} via ${step.source}: refreshing the credentials failed: ${redact(scrub(causeText(e)), seen)}`,
    [step.source],
    true,
  );
}

export function credentialChain(o: ChainOptions = {}): CredentialSource {
  const env = o.env ?? process.env;
  const home = o.home ?? (env.HOME || env.USERPROFILE || homedir());
  const timeoutMs = o.timeoutMs ?? 30_000;
  let active: Step | undefined;
  let info: CredentialInfo | undefined;
  const seen: string[] = [];

  async function ask(step: Step): Promise<Credentials> {
    const c = await credentialsFrom(step, timeoutMs);
    remember(seen, [c.accessKeySecret, c.securityToken]);
    info = { type: step.type, source: step.source, expiresAt: expiryOf(step.provider) };
    return c;
  }

  async function resolve(): Promise<Credentials> {
    active = undefined;
    const { steps, looked, secrets } = chainSteps({ env, home, homeLabel: '~' });
    remember(seen, secrets);
    const failures: string[] = [];
    let found = false;
    for (const step of steps) {
      // the instance role without a role name is a probe; failing to reach it off ECS does not count as "found"
      if (!(step.source.startsWith(ECS_SOURCE) && !env.ALIBABA_CLOUD_ECS_METADATA)) found = true;
      if ('error' in step) {
        failures.push(`${step.type} via ${step.source}: ${step.error}`);
        continue;
      }
      try {
        const c = await ask(step);
        active = step;
        return c;
      } catch (e) {
        failures.push(`${step.type} via ${step.source}: ${redact(scrub(causeText(e)), seen)}`);
      }
    }
    info ??= steps[0] ? { type: steps[0].type, source: steps[0].source } : undefined;
    throw chainFailed(found, looked, failures);
  }

  // calls that overlap (a Create and a Describe both refused) share one resolution: one AssumeRole, not two
  let resolving: Promise<Credentials> | undefined;
  const resolveOnce = () =>
    (resolving ??= resolve().finally(() => {
      resolving = undefined;
    }));

  return {
    async get() {
      const step = active;
      if (!step) return resolveOnce();
      try {
        return await ask(step);
      } catch (e) {
        throw refreshFailed(step, e, seen);
      }
    },
    refresh: resolveOnce,
    info: () => info ?? firstCandidate(env, home),
    secrets: () => [...seen],
  };
}

/** Keeps the secrets seen (for redaction), the newest MAX_SECRETS of them. */
function remember(seen: string[], values: Array<string | undefined>): void {
  for (const s of values) if (s && !seen.includes(s)) seen.push(s);
  if (seen.length > MAX_SECRETS) seen.splice(0, seen.length - MAX_SECRETS);
}

/** Nothing configured anywhere (`found` false: serve may fall back to the sandbox), or all of it failed. */
function chainFailed(found: boolean, looked: string[], failures: string[]): CredentialsError {
  if (!found)
    return new CredentialsError(
      `No Alibaba Cloud credentials found. Looked in:\n${formatLooked(looked)}\n${NO_CREDENTIALS_HINT}`,
      [...looked, ...failures],
      false,
    );
  return new CredentialsError(`No usable Alibaba Cloud credentials:\n${formatLooked(failures)}`, failures, true);
}

function firstCandidate(env: NodeJS.ProcessEnv, home: string): CredentialInfo {
  const first = chainSteps({ env, home, homeLabel: '~' }).steps[0];
  return first ? { type: first.type, source: first.source } : { type: 'none', source: 'nowhere' };
}

function causeText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Some library messages quote what they were given (a credentials URI's JSON answer, an STS error body, an
 * external command's output): blank any value of a secret-named field, known to us or not.
 */
export function scrub(text: string): string {
  return text.replace(
    /("?(?:AccessKeySecret|SecurityToken|access_key_secret|sts_token|security_token|accessKeySecret|securityToken)"?\s*[:=]\s*"?)[^"\s,}&]+/g,
    '$1[redacted]',
  );
}

/**
 * When the provider's cached STS session expires. The library keeps it as `session.expiration` on its
 * session-based providers (RAM role, OIDC, ECS, URI, CloudSSO) and exposes it nowhere else, so we walk
 * its wrappers (`innerProvider` of the CLI/INI providers, `credential.provider` of `new Credential()`).
 * A library update that renames these fields makes this return undefined (doctor then shows no expiry);
 * test/unit/credential-chain.test.ts pins it.
 */
export function expiryOf(provider: OfficialProvider): number | undefined {
  let node: unknown = provider;
  for (let depth = 0; depth < 6 && node && typeof node === 'object'; depth++) {
    const o = node as Record<string, unknown>;
    const exp = Expiration.safeParse((o.session as { expiration?: unknown } | undefined)?.expiration);
    if (exp.success) return Date.parse(exp.data);
    node = o.innerProvider ?? o.credential ?? o.provider;
  }
  return undefined;
}
