/**
 * The ECS instance role is a step of the chain only when the user asks for it (ALIBABA_CLOUD_ECS_METADATA or
 * ALIBABA_CLOUD_ECS_METADATA_ENABLED): a helper on a streaming PC never probes 100.100.100.200 by itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chainSteps, ecsWanted } from '../../script/cloud/credential-steps.js';

const home = mkdtempSync(join(tmpdir(), 'artc-ecs-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const ecs = (env: NodeJS.ProcessEnv) => chainSteps({ env, home }).steps.filter((s) => s.type === 'EcsRamRole');

describe('the ECS instance role step', () => {
  it('is left out unless asked for: nothing in the chain would reach the metadata server', () => {
    expect(ecsWanted({})).toBe(false);
    expect(ecs({})).toEqual([]);
    expect(chainSteps({ env: {}, home }).looked.join(' ')).not.toContain('100.100.100.200');
  });

  it('is in the chain with a role name, or when enabled; DISABLED still wins', () => {
    expect(ecs({ ALIBABA_CLOUD_ECS_METADATA: 'streaming-role' })).toHaveLength(1);
    expect(ecs({ ALIBABA_CLOUD_ECS_METADATA: 'streaming-role' })[0]?.source).toContain('role streaming-role');
    expect(ecs({ ALIBABA_CLOUD_ECS_METADATA_ENABLED: 'true' })).toHaveLength(1);
    expect(chainSteps({ env: { ALIBABA_CLOUD_ECS_METADATA_ENABLED: 'true' }, home }).looked).toContain(
      'ECS instance metadata (100.100.100.200)',
    );
    expect(ecs({ ALIBABA_CLOUD_ECS_METADATA: 'r', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' })).toEqual([]);
  });
});
