import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helperStatePath, readHelperState, removeHelperState, writeHelperState } from '../../script/helper-state.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('helper.json (read by the OBS Lua script and doctor)', () => {
  it('one flat JSON line, numbers unquoted (the Lua script matches "pid":(%d+)), mode 0600', () => {
    dir = mkdtempSync(join(tmpdir(), 'artc-state-'));
    writeHelperState(dir, {
      startedAt: '2025-01-01T00:00:00.000Z',
      version: '0.1.0',
      mode: 'sandbox',
      parentPid: 77,
      port: 4466,
      pid: 1234,
    });
    const text = readFileSync(helperStatePath(dir), 'utf8');
    expect(text).toBe(
      '{"pid":1234,"port":4466,"parentPid":77,"mode":"sandbox","version":"0.1.0","startedAt":"2025-01-01T00:00:00.000Z"}\n',
    );
    expect(statSync(helperStatePath(dir)).mode & 0o777).toBe(0o600);
    expect(readHelperState(dir)).toMatchObject({ pid: 1234, port: 4466, parentPid: 77 });
  });
  it('remove only deletes the file when it still names this PID', () => {
    dir = mkdtempSync(join(tmpdir(), 'artc-state-'));
    writeHelperState(dir, { pid: 5, port: 1, mode: 'cloud', version: 'v', startedAt: 's' });
    removeHelperState(dir, 6);
    expect(readHelperState(dir)?.pid).toBe(5);
    removeHelperState(dir, 5);
    expect(readHelperState(dir)).toBeUndefined();
  });
  it('garbage reads as no state', () => {
    dir = mkdtempSync(join(tmpdir(), 'artc-state-'));
    writeFileSync(helperStatePath(dir), '{"pid": "x"');
    expect(readHelperState(dir)).toBeUndefined();
  });
});
