/**
 * The OBS Lua script outside OBS: a syntax check with LuaJIT (what OBS embeds), then the script run under LuaJIT
 * with a stub `obslua` (settings as tables, properties recorded) and a fake `node` that records its arguments:
 * script_load starts it in the background with OBS's PID, script_properties shows state and dock URL,
 * script_unload stops it; a helper already named in helper.json is neither started twice nor stopped.
 * Needs `luajit` (apt-get install luajit); skipped without it, except in CI where that is a failure.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, statSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve('script/obs/artc-ingest.lua');
const hasLuajit = spawnSync('luajit', ['-v']).status === 0;
const TOKEN = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO-_';

const HARNESS = String.raw`
local ffi = require("ffi")
pcall(ffi.cdef, "int usleep(unsigned int usec); int getpid(void);")
local props = {}
local function getter(default) return function(d, k) local v = d[k]; if v == nil then v = d.__defaults[k] end; if v == nil then return default end; return v end end
obslua = {
  LOG_INFO = 300, LOG_WARNING = 200, OBS_TEXT_DEFAULT = 0, OBS_TEXT_INFO = 3, OBS_PATH_FILE = 0, OBS_PATH_DIRECTORY = 2,
  script_log = function(level, msg) print("LOG " .. msg) end,
  obs_data_get_string = getter(""), obs_data_get_int = getter(0), obs_data_get_bool = getter(false),
  obs_data_set_string = function(d, k, v) d[k] = v end,
  obs_data_set_default_string = function(d, k, v) d.__defaults[k] = v end,
  obs_data_set_default_int = function(d, k, v) d.__defaults[k] = v end,
  obs_data_set_default_bool = function(d, k, v) d.__defaults[k] = v end,
  obs_data_erase = function(d, k) d[k] = nil end,
  obs_properties_create = function() return {} end,
  obs_properties_add_text = function(p, name) props[#props + 1] = name end,
  obs_properties_add_button = function(p, name, label, cb) props[#props + 1] = name; _G["button_" .. name] = cb end,
  obs_properties_add_path = function(p, name) props[#props + 1] = name end,
  obs_properties_add_int = function(p, name) props[#props + 1] = name end,
  obs_properties_add_bool = function(p, name) props[#props + 1] = name end,
  timer_add = function() end, timer_remove = function() end,
}
function script_path() return os.getenv("SCRIPT_DIR") end
dofile(os.getenv("SCRIPT"))

local s = { __defaults = {}, node_path = os.getenv("NODE"), helper_path = "/opt/artc/artc-ingest.mjs",
  port = tonumber(os.getenv("PORT")), sandbox = os.getenv("SANDBOX") == "1", config_dir = os.getenv("CFG") }
script_defaults(s)
print("OBSPID " .. ffi.C.getpid())
script_load(s)
-- wait (at most 5 s) for the file WAIT_FOR to appear (the fake node's record, or its log), then a moment more
local wait_for = os.getenv("WAIT_FOR")
for _ = 1, (wait_for and 100 or 0) do
  local f = io.open(os.getenv("CFG") .. "/" .. wait_for, "r")
  if f then f:close() ffi.C.usleep(200000) break end
  ffi.C.usleep(50000)
end
script_properties()
print("PROPS " .. table.concat(props, ","))
print("STATUS " .. s.status)
print("URL " .. s.dock_url)
script_save(s)
print("SAVED_URL " .. tostring(s.dock_url))
if os.getenv("RESTART") == "1" then button_restart(); print("STATUS2 " .. s.status) end
script_unload()
print("UNLOADED")
`;

interface Run {
  out: string;
  line(prefix: string): string;
}

let dir: string;
const spawned: ChildProcess[] = [];
afterEach(() => {
  for (const c of spawned.splice(0)) c.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function setup(fakeNode: string): { cfg: string; node: string } {
  dir = mkdtempSync(join(tmpdir(), 'artc-lua-'));
  const cfg = join(dir, 'artc config'); // a space, to exercise quoting
  mkdirSync(cfg);
  writeFileSync(join(cfg, 'token'), TOKEN + '\n');
  const node = join(dir, "fake node's");
  writeFileSync(node, fakeNode);
  chmodSync(node, 0o755);
  writeFileSync(join(dir, 'harness.lua'), HARNESS);
  return { cfg, node };
}

function run(env: Record<string, string>): Run {
  const out = execFileSync('luajit', [join(dir, 'harness.lua')], {
    env: { ...process.env, SCRIPT, SCRIPT_DIR: dir + '/', PORT: '45678', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return {
    out,
    line: (p) =>
      out
        .split('\n')
        .find((l) => l.startsWith(p + ' '))
        ?.slice(p.length + 1) ?? '',
  };
}

const pidAlive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
};

// records "$@" and ARTC_INGEST_HOME, then stays up like the helper until signalled
const RECORDING_NODE = `#!/bin/sh
printf '%s\\n' "$@" > "$ARTC_INGEST_HOME/args.tmp"
echo "$$" > "$ARTC_INGEST_HOME/pid"
mv "$ARTC_INGEST_HOME/args.tmp" "$ARTC_INGEST_HOME/args"
echo "Helper listening on http://127.0.0.1:45678"
while :; do sleep 0.05; done
`;

(hasLuajit || process.env.CI ? describe : describe.skip)('OBS Lua script (LuaJIT)', () => {
  beforeAll(() => {
    if (!hasLuajit)
      throw new Error('luajit is not installed (apt-get install luajit); CI is set, so this fails instead of skipping');
  });

  it('is valid LuaJIT (the Lua OBS embeds)', () => {
    const r = spawnSync('luajit', ['-bl', SCRIPT], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('starts the helper with serve --port --parent-pid <OBS pid> [--sandbox], shows state and URL, stops it on unload', () => {
    const { cfg, node } = setup(RECORDING_NODE);
    const r = run({ NODE: node, CFG: cfg, SANDBOX: '1', WAIT_FOR: 'args' });
    const args = readFileSync(join(cfg, 'args'), 'utf8').trim().split('\n');
    expect(args).toEqual([
      '/opt/artc/artc-ingest.mjs',
      'serve',
      '--port',
      '45678',
      '--parent-pid',
      r.line('OBSPID'),
      '--sandbox',
    ]);
    const pid = Number(readFileSync(join(cfg, 'pid'), 'utf8'));
    expect(r.line('STATUS')).toBe(`Running: pid ${pid} on port 45678 (started by this OBS; stops with it).`);
    expect(r.line('URL')).toBe(`http://127.0.0.1:45678/?token=${TOKEN}`);
    expect(r.line('SAVED_URL')).toBe('nil');
    expect(r.line('PROPS')).toBe(
      'status,dock_url,copy_url,open_url,restart,refresh,node_path,helper_path,port,sandbox,config_dir',
    );
    expect(r.out).toContain(`LOG Started the artc-ingest helper: pid ${pid}, port 45678`);
    // script_unload stops it silently: OBS 29 ends the process on logging during shutdown
    expect(r.out).not.toContain('LOG Stopped');
    // OBS's log never gets the token
    expect(
      r.out
        .split('\n')
        .filter((l) => l.startsWith('LOG '))
        .join('\n'),
    ).not.toContain(TOKEN);
    expect(pidAlive(pid)).toBe(false);
    // the log file got the helper's output (and no world-readable bits: umask 077)
    expect(readFileSync(join(cfg, 'helper.log'), 'utf8')).toContain('Helper listening');
    expect(statSync(join(cfg, 'helper.log')).mode & 0o077).toBe(0);
  });

  it('Restart stops the running helper and starts a new one', () => {
    const { cfg, node } = setup(RECORDING_NODE);
    const r = run({ NODE: node, CFG: cfg, RESTART: '1', WAIT_FOR: 'args' });
    const pids = [...r.out.matchAll(/Started the artc-ingest helper: pid (\d+)/g)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(2);
    expect(r.out).toContain(`Stopped the artc-ingest helper (pid ${pids[0]}): restart asked`);
    expect(r.line('STATUS2')).toMatch(new RegExp(`^Running: pid ${pids[1]} `));
    for (const p of pids) expect(pidAlive(p)).toBe(false);
  });

  it('a helper that exits at once shows as not running, with its last log line', () => {
    const { cfg, node } = setup('#!/bin/sh\necho "artc-ingest serve: port 45678 is busy" >&2\nexit 1\n');
    const r = run({ NODE: node, CFG: cfg, WAIT_FOR: 'helper.log' });
    expect(r.line('STATUS')).toContain('Not running.');
    expect(r.line('STATUS')).toContain('Last log line: artc-ingest serve: port 45678 is busy');
  });

  it('does not start a second helper when helper.json names a live one on the port, and leaves it running', async () => {
    const { cfg, node } = setup(RECORDING_NODE);
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    spawned.push(other);
    writeFileSync(
      join(cfg, 'helper.json'),
      JSON.stringify({ pid: other.pid, port: 45678, parentPid: 1, mode: 'cloud', version: '0.1.0', startedAt: 'x' }) +
        '\n',
    );
    const r = run({ NODE: node, CFG: cfg });
    expect(existsSync(join(cfg, 'args'))).toBe(false);
    expect(r.out).toContain(`A helper already runs on port 45678 (pid ${other.pid}): not starting another.`);
    expect(r.line('STATUS')).toBe(
      `Running: pid ${other.pid} on port 45678 (not started by this OBS, so OBS leaves it running).`,
    );
    expect(pidAlive(other.pid!)).toBe(true);
  });
});
