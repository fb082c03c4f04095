--[[
artc-ingest.lua: OBS Studio script (Tools > Scripts) that runs the artc-ingest helper alongside OBS.

  On load:    starts `node artc-ingest.mjs serve --port P [--sandbox] --parent-pid <OBS pid>` in the background,
              unless a helper already runs on that port (helper.json names a live one).
  Properties: the helper's state, the dock URL (select it and copy, or use "Copy dock URL"), Restart, settings.
  On unload:  (script removed, OBS closing normally) stops the helper this script started. A helper somebody
              else started (a terminal, another OBS) is left alone.
  OBS killed: a SIGKILL/SIGTERM/crash runs no script_unload, so the helper also watches --parent-pid and exits
              by itself within about a second when OBS is gone.

How it does things without a sockets library (OBS's Lua is LuaJIT; `ffi` is there):
  - OBS's PID, "is that PID alive", stopping: ffi to libc (getpid, kill) or kernel32 (GetCurrentProcessId,
    OpenProcess, TerminateProcess). Windows has no SIGTERM for a windowless process: TerminateProcess ends it.
  - starting: POSIX `io.popen("... & echo $!")` (the shell prints the helper's PID); Windows CreateProcessW with
    CREATE_NO_WINDOW (no console window flashes up), output into the log file.
  - state: `<config>/helper.json` when the helper writes it, else what this script knows about the PID it started,
    else the last line of `<config>/helper.log`.
  - copy: OBS's Lua API has no clipboard. Windows: the Win32 clipboard via ffi. macOS: pbcopy. Linux: wl-copy,
    xclip or xsel when one is installed; otherwise the button says so and the URL field is there to select.
Tested on Linux (Debian 12, OBS 29.0.2). The Windows and macOS branches are written to their documented APIs but
have not been run: see script/obs/README.md.
]]

obs = obslua
local ffi = require("ffi")

local IS_WINDOWS = ffi.os == "Windows"
local IS_MAC = ffi.os == "OSX"
local DEFAULT_PORT = 4466
local LOG_ROTATE_BYTES = 1024 * 1024

-- A declaration that already exists in this Lua state raises: each goes through pcall.
local function cdef(decl) pcall(ffi.cdef, decl) end

if IS_WINDOWS then
  cdef[[
    typedef unsigned long DWORD;
    typedef int BOOL;
    typedef void *HANDLE;
    typedef unsigned short WORD;
    typedef struct { DWORD nLength; void *lpSecurityDescriptor; BOOL bInheritHandle; } SECURITY_ATTRIBUTES;
    typedef struct {
      DWORD cb; wchar_t *lpReserved; wchar_t *lpDesktop; wchar_t *lpTitle;
      DWORD dwX; DWORD dwY; DWORD dwXSize; DWORD dwYSize; DWORD dwXCountChars; DWORD dwYCountChars;
      DWORD dwFillAttribute; DWORD dwFlags; WORD wShowWindow; WORD cbReserved2; void *lpReserved2;
      HANDLE hStdInput; HANDLE hStdOutput; HANDLE hStdError;
    } STARTUPINFOW;
    typedef struct { HANDLE hProcess; HANDLE hThread; DWORD dwProcessId; DWORD dwThreadId; } PROCESS_INFORMATION;
    DWORD GetCurrentProcessId(void);
    HANDLE OpenProcess(DWORD access, BOOL inherit, DWORD pid);
    BOOL TerminateProcess(HANDLE process, unsigned int code);
    DWORD WaitForSingleObject(HANDLE handle, DWORD ms);
    BOOL CloseHandle(HANDLE handle);
    void Sleep(DWORD ms);
    int MultiByteToWideChar(unsigned int codepage, DWORD flags, const char *s, int n, wchar_t *out, int outn);
    BOOL SetEnvironmentVariableW(const wchar_t *name, const wchar_t *value);
    BOOL CreateDirectoryW(const wchar_t *path, void *sa);
    HANDLE CreateFileW(const wchar_t *name, DWORD access, DWORD share, SECURITY_ATTRIBUTES *sa, DWORD disposition, DWORD flags, HANDLE tmpl);
    BOOL CreateProcessW(const wchar_t *app, wchar_t *cmdline, void *pa, void *ta, BOOL inherit, DWORD flags, void *env, const wchar_t *cwd, STARTUPINFOW *si, PROCESS_INFORMATION *pi);
    BOOL OpenClipboard(void *owner);
    BOOL EmptyClipboard(void);
    BOOL CloseClipboard(void);
    void *GlobalAlloc(unsigned int flags, size_t bytes);
    void *GlobalLock(void *mem);
    BOOL GlobalUnlock(void *mem);
    void *SetClipboardData(unsigned int format, void *mem);
  ]]
else
  cdef[[
    int getpid(void);
    int kill(int pid, int sig);
    int usleep(unsigned int usec);
  ]]
end

-- State of this script instance ---------------------------------------------------------------------------------
local settings_ref = nil      -- the obs_data_t OBS gave script_load (also what the properties view shows)
local obs_pid = nil
local child = nil             -- { pid = n, handle = HANDLE (Windows only), port = n } for the helper we started
local child_exit_reported = false
local last_message = ""

local function log(level, msg) obs.script_log(level, msg) end

-- Small helpers ---------------------------------------------------------------------------------------------------
local function file_exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

local function read_file(path, max_bytes)
  local f = io.open(path, "rb")
  if not f then return nil end
  local size = f:seek("end")
  local start = 0
  if max_bytes and size > max_bytes then start = size - max_bytes end
  f:seek("set", start)
  local text = f:read("*a")
  f:close()
  return text
end

local function join(dir, name)
  local sep = IS_WINDOWS and "\\" or "/"
  if dir:sub(-1) == "/" or dir:sub(-1) == "\\" then return dir .. name end
  return dir .. sep .. name
end

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

-- The helper's config folder, the same rules as script/paths.ts (used when install did not set config_dir).
local function default_config_dir()
  local e = os.getenv("ARTC_INGEST_HOME")
  if e and e ~= "" then return e end
  if IS_WINDOWS then
    local appdata = os.getenv("APPDATA") or ((os.getenv("USERPROFILE") or "") .. "\\AppData\\Roaming")
    return appdata .. "\\artc-ingest"
  end
  local home = os.getenv("HOME") or ""
  if IS_MAC then return home .. "/Library/Application Support/artc-ingest" end
  local xdg = os.getenv("XDG_CONFIG_HOME")
  if xdg and xdg ~= "" then return xdg .. "/artc-ingest" end
  return home .. "/.config/artc-ingest"
end

-- dist/artc-ingest.mjs beside this script (installed package), or ../../dist from script/obs in a checkout.
local function default_helper_path()
  local here = script_path()
  local beside = here .. "artc-ingest.mjs"
  if file_exists(beside) then return beside end
  local checkout = here .. "../../dist/artc-ingest.mjs"
  if file_exists(checkout) then return checkout end
  return beside
end

-- OBS started from Finder on macOS gets PATH=/usr/bin:/bin:...: look where Node installers put node.
local function default_node_path()
  if IS_WINDOWS then return "node" end
  for _, p in ipairs({ "/opt/homebrew/bin/node", "/usr/local/bin/node", "/usr/bin/node" }) do
    if file_exists(p) then return p end
  end
  return "node"
end

local function setting_string(key, fallback)
  local v = settings_ref and obs.obs_data_get_string(settings_ref, key) or ""
  if v == nil or v == "" then return fallback end
  return v
end

local function config_dir() return setting_string("config_dir", default_config_dir()) end
local function port() local p = settings_ref and obs.obs_data_get_int(settings_ref, "port") or 0 if p <= 0 then return DEFAULT_PORT end return p end

local function read_token()
  local text = read_file(join(config_dir(), "token"))
  if not text then return nil end
  local t = trim(text)
  if #t == 43 and not t:find("[^A-Za-z0-9_%-]") then return t end
  return nil
end

local function dock_url()
  local token = read_token()
  if not token then return nil end
  return "http://127.0.0.1:" .. port() .. "/?token=" .. token
end

-- helper.json: flat JSON written by the helper; numbers unquoted, so string patterns suffice.
local function read_helper_state()
  local text = read_file(join(config_dir(), "helper.json"))
  if not text then return nil end
  local pid = tonumber(text:match('"pid"%s*:%s*(%d+)'))
  if not pid then return nil end
  return {
    pid = pid,
    port = tonumber(text:match('"port"%s*:%s*(%d+)')),
    parent_pid = tonumber(text:match('"parentPid"%s*:%s*(%d+)')),
    mode = text:match('"mode"%s*:%s*"(%a+)"'),
  }
end

local function last_log_line()
  local text = read_file(join(config_dir(), "helper.log"), 4096)
  if not text then return nil end
  local last = nil
  for line in text:gmatch("[^\r\n]+") do
    if trim(line) ~= "" then last = trim(line) end
  end
  if last then last = last:gsub("token=[%w_%-]+", "token=<hidden>") end
  return last
end

-- Processes -------------------------------------------------------------------------------------------------------
local function current_pid()
  if IS_WINDOWS then return tonumber(ffi.C.GetCurrentProcessId()) end
  return tonumber(ffi.C.getpid())
end

local function sleep_ms(ms)
  if IS_WINDOWS then ffi.C.Sleep(ms) else ffi.C.usleep(ms * 1000) end
end

-- os.execute returns the exit status in Lua 5.1 / LuaJIT, `true` in LuaJIT built with 5.2 compatibility
local function sh_ok(cmd)
  local r = os.execute(cmd)
  return r == 0 or r == true
end

local WAIT_TIMEOUT = 0x102

local function pid_alive(pid)
  if not pid then return false end
  if IS_WINDOWS then
    -- SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION
    local h = ffi.C.OpenProcess(0x00100000 + 0x1000, 0, pid)
    if h == nil then return false end
    local alive = ffi.C.WaitForSingleObject(h, 0) == WAIT_TIMEOUT
    ffi.C.CloseHandle(h)
    return alive
  end
  if ffi.C.kill(pid, 0) ~= 0 then return false end
  -- Linux: an orphan that nobody reaped yet is a zombie: it has exited
  local stat = read_file("/proc/" .. pid .. "/stat")
  if stat and stat:match("%) Z ") then return false end
  return true
end

local function child_alive()
  if not child then return false end
  if IS_WINDOWS and child.handle ~= nil then return ffi.C.WaitForSingleObject(child.handle, 0) == WAIT_TIMEOUT end
  return pid_alive(child.pid)
end

local function sh_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function win_quote(a)
  if a ~= "" and not a:find('[%s"]') then return a end
  local s = a:gsub('(\\*)"', function(bs) return bs .. bs .. '\\"' end)
  s = s:gsub('(\\+)$', function(bs) return bs .. bs end)
  return '"' .. s .. '"'
end

local function wide(s)
  local n = ffi.C.MultiByteToWideChar(65001, 0, s, #s, nil, 0)
  local buf = ffi.new("wchar_t[?]", n + 1)
  ffi.C.MultiByteToWideChar(65001, 0, s, #s, buf, n)
  buf[n] = 0
  return buf, n
end

local function rotate_log(path)
  local f = io.open(path, "rb")
  if not f then return end
  local size = f:seek("end")
  f:close()
  if size > LOG_ROTATE_BYTES then
    os.remove(path .. ".old")
    os.rename(path, path .. ".old")
  end
end

local function spawn_posix(argv, dir, log_path)
  local parts = {}
  for _, a in ipairs(argv) do parts[#parts + 1] = sh_quote(a) end
  -- umask 077: the log holds the dock URL (token); the folder is created 0700 like the helper does
  local cmd = "umask 077; mkdir -p " .. sh_quote(dir) .. " && ARTC_INGEST_HOME=" .. sh_quote(dir) .. " "
    .. table.concat(parts, " ") .. " >>" .. sh_quote(log_path) .. " 2>&1 </dev/null & echo $!"
  local p = io.popen(cmd, "r")
  if not p then return nil, "could not run /bin/sh" end
  local out = p:read("*l")
  p:close()
  local pid = tonumber(out or "")
  if not pid then return nil, "the shell did not report a PID" end
  return { pid = pid }
end

local function spawn_windows(argv, dir, log_path)
  local C = ffi.C
  C.CreateDirectoryW(wide(dir), nil)
  C.SetEnvironmentVariableW(wide("ARTC_INGEST_HOME"), wide(dir))
  local sa = ffi.new("SECURITY_ATTRIBUTES")
  sa.nLength = ffi.sizeof(sa)
  sa.bInheritHandle = 1
  -- FILE_APPEND_DATA, FILE_SHARE_READ|FILE_SHARE_WRITE, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL
  local logh = C.CreateFileW(wide(log_path), 0x4, 0x3, sa, 4, 0x80, nil)
  local invalid = ffi.cast("HANDLE", -1)
  local si = ffi.new("STARTUPINFOW")
  si.cb = ffi.sizeof(si)
  if logh ~= invalid then
    si.dwFlags = 0x100 -- STARTF_USESTDHANDLES
    si.hStdOutput = logh
    si.hStdError = logh
  end
  local parts = {}
  for _, a in ipairs(argv) do parts[#parts + 1] = win_quote(a) end
  local pi = ffi.new("PROCESS_INFORMATION")
  local cmdline = wide(table.concat(parts, " "))
  local ok = C.CreateProcessW(nil, cmdline, nil, nil, 1, 0x08000000 --[[CREATE_NO_WINDOW]], nil, nil, si, pi)
  if logh ~= invalid then C.CloseHandle(logh) end
  if ok == 0 then return nil, "CreateProcess failed (is Node.js at the path in the settings?)" end
  C.CloseHandle(pi.hThread)
  return { pid = tonumber(pi.dwProcessId), handle = pi.hProcess }
end

-- Linux: before signalling a PID, make sure it is still the helper (PIDs are reused).
local function looks_like_helper(pid)
  local cmdline = read_file("/proc/" .. pid .. "/cmdline")
  if cmdline == nil then return true end -- no /proc (macOS): trust the PID we started or helper.json named
  return cmdline:find("serve", 1, true) ~= nil
end

local function stop_pid(pid, handle)
  if IS_WINDOWS then
    local h = handle
    if h == nil then h = ffi.C.OpenProcess(0x00100000 + 0x0001 --[[SYNCHRONIZE|PROCESS_TERMINATE]], 0, pid) end
    if h == nil then return end
    ffi.C.TerminateProcess(h, 0)
    ffi.C.WaitForSingleObject(h, 3000)
    ffi.C.CloseHandle(h)
    return
  end
  if not pid_alive(pid) or not looks_like_helper(pid) then return end
  ffi.C.kill(pid, 15) -- SIGTERM: the helper closes its server (and sandbox) and exits
  for _ = 1, 60 do
    if not pid_alive(pid) then return end
    sleep_ms(50)
  end
  ffi.C.kill(pid, 9)
end

-- The helper ------------------------------------------------------------------------------------------------------
local function helper_answering()
  local st = read_helper_state()
  if st and st.port == port() and pid_alive(st.pid) then return st end
  return nil
end

local function start_helper()
  local running = helper_answering()
  if running then
    last_message = "A helper already runs on port " .. port() .. " (pid " .. running.pid .. "): not starting another."
    log(obs.LOG_INFO, last_message)
    if running.parent_pid == obs_pid then child = { pid = running.pid, port = port() } end
    return
  end
  local dir = config_dir()
  local log_path = join(dir, "helper.log")
  rotate_log(log_path)
  local argv = { setting_string("node_path", default_node_path()), setting_string("helper_path", default_helper_path()),
    "serve", "--port", tostring(port()), "--parent-pid", tostring(obs_pid) }
  if settings_ref and obs.obs_data_get_bool(settings_ref, "sandbox") then argv[#argv + 1] = "--sandbox" end
  local spawn = IS_WINDOWS and spawn_windows or spawn_posix
  local ok, started, err = pcall(spawn, argv, dir, log_path)
  if not ok then started, err = nil, tostring(started) end
  if not started then
    last_message = "Could not start the helper: " .. tostring(err)
    log(obs.LOG_WARNING, last_message)
    return
  end
  started.port = port()
  child = started
  child_exit_reported = false
  last_message = ""
  log(obs.LOG_INFO, "Started the artc-ingest helper: pid " .. started.pid .. ", port " .. started.port .. ", log " .. log_path)
end

-- `reason` nil: say nothing (see script_unload)
local function stop_helper(reason)
  if not child then return end
  local c = child
  child = nil
  if IS_WINDOWS and c.handle ~= nil then
    stop_pid(c.pid, c.handle)
  else
    stop_pid(c.pid, nil)
  end
  if reason then log(obs.LOG_INFO, "Stopped the artc-ingest helper (pid " .. c.pid .. "): " .. reason) end
end

local function status_text()
  if child and child_alive() then
    local st = read_helper_state()
    local mode = (st and st.pid == child.pid and st.mode) and (", " .. st.mode .. " mode") or ""
    return "Running: pid " .. child.pid .. " on port " .. child.port .. mode .. " (started by this OBS; stops with it)."
  end
  local other = helper_answering()
  if other then
    return "Running: pid " .. other.pid .. " on port " .. port() .. " (not started by this OBS, so OBS leaves it running)."
  end
  local text = "Not running."
  if last_message ~= "" then text = text .. " " .. last_message end
  local line = last_log_line()
  if line then text = text .. " Last log line: " .. line end
  return text .. " Log: " .. join(config_dir(), "helper.log")
end

local function refresh_display()
  if not settings_ref then return end
  obs.obs_data_set_string(settings_ref, "status", status_text())
  obs.obs_data_set_string(settings_ref, "dock_url", dock_url() or "(no token yet: the helper creates it on its first start)")
end

-- Checks once a second whether the helper we started has exited, and says so once in OBS's log.
local function tick()
  if child and not child_exit_reported and not child_alive() then
    child_exit_reported = true
    log(obs.LOG_WARNING, "The artc-ingest helper (pid " .. child.pid .. ") exited. " .. (last_log_line() or ""))
  end
end

-- Buttons ---------------------------------------------------------------------------------------------------------
local function copy_windows(text)
  local C = ffi.C
  local w, n = wide(text)
  local bytes = (n + 1) * 2
  local mem = C.GlobalAlloc(0x0002 --[[GMEM_MOVEABLE]], bytes)
  if mem == nil then return false end
  ffi.copy(C.GlobalLock(mem), w, bytes)
  C.GlobalUnlock(mem)
  if C.OpenClipboard(nil) == 0 then return false end
  C.EmptyClipboard()
  local ok = C.SetClipboardData(13 --[[CF_UNICODETEXT]], mem) ~= nil
  C.CloseClipboard()
  return ok
end

local function copy_posix(text)
  local tools = IS_MAC and { "pbcopy" } or { "wl-copy", "xclip -selection clipboard", "xsel --clipboard --input" }
  for _, tool in ipairs(tools) do
    local bin = tool:match("^(%S+)")
    if IS_MAC or sh_ok("command -v " .. bin .. " >/dev/null 2>&1") then
      if sh_ok("printf '%s' " .. sh_quote(text) .. " | " .. tool .. " >/dev/null 2>&1") then return true end
    end
  end
  return false
end

local function on_copy(props, prop)
  local url = dock_url()
  if not url then
    last_message = "No dock URL yet: start the helper first."
  else
    local ok, copied = pcall(IS_WINDOWS and copy_windows or copy_posix, url)
    last_message = (ok and copied) and "Dock URL copied." or "No clipboard tool found (Linux: install wl-clipboard or xclip): select the Dock URL field and press Ctrl+C."
  end
  refresh_display()
  return true
end

local function on_open(props, prop)
  local url = dock_url()
  if url then
    if IS_WINDOWS then
      pcall(function()
        ffi.cdef[[ void *ShellExecuteW(void *hwnd, const wchar_t *op, const wchar_t *file, const wchar_t *params, const wchar_t *dir, int show); ]]
        ffi.load("shell32").ShellExecuteW(nil, wide("open"), wide(url), nil, nil, 1)
      end)
    elseif IS_MAC then
      os.execute("open " .. sh_quote(url) .. " >/dev/null 2>&1 &")
    else
      os.execute("xdg-open " .. sh_quote(url) .. " >/dev/null 2>&1 &")
    end
  end
  refresh_display()
  return true
end

local function on_restart(props, prop)
  if child then
    stop_helper("restart asked")
  else
    local other = helper_answering()
    if other then
      last_message = "The helper on port " .. port() .. " (pid " .. other.pid .. ") was not started by this OBS: stop it yourself, or change the port."
      refresh_display()
      return true
    end
  end
  start_helper()
  sleep_ms(300) -- give a failing start (bad Node path, busy port) a moment to show in the state
  refresh_display()
  return true
end

local function on_refresh(props, prop)
  refresh_display()
  return true
end

-- OBS script API --------------------------------------------------------------------------------------------------
function script_description()
  return "<b>artc-ingest</b>: runs the helper for the <i>ARTC Ingest</i> dock while OBS runs, and stops it with OBS."
    .. "<br>Set up with <code>artc-ingest install</code>; check with <code>artc-ingest doctor</code>."
end

function script_defaults(settings)
  obs.obs_data_set_default_string(settings, "node_path", default_node_path())
  obs.obs_data_set_default_string(settings, "helper_path", default_helper_path())
  obs.obs_data_set_default_int(settings, "port", DEFAULT_PORT)
  obs.obs_data_set_default_bool(settings, "sandbox", false)
  obs.obs_data_set_default_string(settings, "config_dir", default_config_dir())
end

function script_properties()
  local props = obs.obs_properties_create()
  -- OBS_TEXT_INFO (OBS 28+) shows read-only text; older builds fall back to a plain field
  obs.obs_properties_add_text(props, "status", "Helper", obs.OBS_TEXT_INFO or obs.OBS_TEXT_DEFAULT)
  obs.obs_properties_add_text(props, "dock_url", "Dock URL", obs.OBS_TEXT_DEFAULT)
  obs.obs_properties_add_button(props, "copy_url", "Copy dock URL", on_copy)
  obs.obs_properties_add_button(props, "open_url", "Open dock in browser", on_open)
  obs.obs_properties_add_button(props, "restart", "Restart helper", on_restart)
  obs.obs_properties_add_button(props, "refresh", "Refresh state", on_refresh)
  obs.obs_properties_add_path(props, "node_path", "Node.js", obs.OBS_PATH_FILE, "", nil)
  obs.obs_properties_add_path(props, "helper_path", "Helper (artc-ingest.mjs)", obs.OBS_PATH_FILE, "artc-ingest (*.mjs)", nil)
  obs.obs_properties_add_int(props, "port", "Port (restart to apply)", 1024, 65535, 1)
  obs.obs_properties_add_bool(props, "sandbox", "Sandbox: local test cloud, no Alibaba Cloud account (restart to apply)")
  obs.obs_properties_add_path(props, "config_dir", "Helper config folder", obs.OBS_PATH_DIRECTORY, "", nil)
  refresh_display()
  return props
end

function script_update(settings)
  settings_ref = settings
  -- the URL field is for copying: put it back if it was edited
  refresh_display()
end

function script_load(settings)
  settings_ref = settings
  obs_pid = current_pid()
  local ok, err = pcall(start_helper)
  if not ok then log(obs.LOG_WARNING, "Could not start the helper: " .. tostring(err)) end
  obs.timer_add(tick, 1000)
end

-- The dock URL carries the token: keep it (and the transient state) out of the saved scene collection.
function script_save(settings)
  obs.obs_data_erase(settings, "dock_url")
  obs.obs_data_erase(settings, "status")
end

-- Seen on OBS 29.0.2 (Linux) when OBS shuts down: its log is already closed, and obs.script_log or obs.timer_remove
-- here ends the process at once, before the helper is stopped. So: no logging, no timer_remove (OBS drops a
-- script's timers itself when it unloads it), just stop the helper.
function script_unload()
  pcall(stop_helper, nil)
end
