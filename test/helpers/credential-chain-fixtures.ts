/**
 * Fixtures shared by the credential-chain unit tests: a temp HOME with aliyun CLI / INI files, the secrets no message
 * may show, a failure expecter.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { credentialChain } from '../../script/cloud/credential-chain.js';
import { CredentialsError } from '../../script/cloud/credentials.js';

export const SECRET = 'secret-value-never-printed';
export const TOKEN = 'CAIS-token-value-never-printed';
/** the ECS step would ask 100.100.100.200; tests that are not about it turn it off, as users can */
export const BASE = { ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' };

export function home(files: { cli?: unknown; ini?: string } = {}): string {
  const h = mkdtempSync(join(tmpdir(), 'artc-cred-'));
  if (files.cli !== undefined) {
    mkdirSync(join(h, '.aliyun'));
    writeFileSync(
      join(h, '.aliyun', 'config.json'),
      typeof files.cli === 'string' ? files.cli : JSON.stringify(files.cli),
    );
  }
  if (files.ini !== undefined) {
    mkdirSync(join(h, '.alibabacloud'));
    writeFileSync(join(h, '.alibabacloud', 'credentials'), files.ini);
  }
  return h;
}

export const cli = (profile: Record<string, unknown>) => ({ current: profile.name, profiles: [profile] });

export async function failure(env: NodeJS.ProcessEnv, h: string): Promise<CredentialsError> {
  const e = await credentialChain({ env: { ...BASE, ...env }, home: h })
    .get()
    .then(
      () => null,
      (x: unknown) => x,
    );
  expect(e).toBeInstanceOf(CredentialsError);
  expect((e as Error).message).not.toContain(SECRET);
  expect((e as Error).message).not.toContain(TOKEN);
  return e as CredentialsError;
}
