/**
 * Each doctor check: one function, all I/O through `DoctorDeps`, returning lines `{ status, name, detail, fix }`.
 * A check never throws: whatever goes wrong becomes its line (offline and sandbox included). The OBS and helper
 * checks are here; the cloud ones (credentials, endpoint, clock) in cloud-checks.ts, re-exported.
 */
import { existsSync } from 'node:fs';
import type { ObsWebsocketSettings } from '../obs-config.js';
import { probeHelper } from '../helper-state.js';
import { DOCK_TITLE, readDocks } from '../install/browser-docks.js';
import { readScripts, LUA_FILE_NAME } from '../install/scene-collection.js';
import type { ObsLayout } from '../install/obs-layout.js';
import { line, readText, type CheckLine, type DoctorDeps } from './check-line.js';

export { type CheckLine, type DoctorDeps, type Status } from './check-line.js';
export { checkCredentials, clockLine, endpointLine, probeEndpoint } from './cloud-checks.js';

export function obsConfigLine(d: DoctorDeps, layout: ObsLayout | Error): CheckLine {
  if (layout instanceof Error)
    return line(
      'fail',
      'OBS config',
      layout.message,
      'start OBS once and close it, or pass --config-dir for a portable OBS',
    );
  return line('ok', 'OBS config', `${d.obsDir} (${layout.label})`);
}

export function websocketLine(ws: ObsWebsocketSettings | null): CheckLine {
  const name = 'obs-websocket';
  const fix =
    'close OBS and run `artc-ingest install --enable-websocket`, or in OBS: Tools > WebSocket Server Settings > Enable WebSocket server';
  if (!ws) return line('fail', name, 'no obs-websocket settings in the OBS config (OBS 28 or newer ships it)', fix);
  if (!ws.serverEnabled) return line('fail', name, `off (${ws.source})`, fix);
  if (!ws.authRequired)
    return line(
      'warn',
      name,
      `on, port ${ws.port}, without a password: any web page on this machine can control OBS`,
      'Tools > WebSocket Server Settings > Enable Authentication',
    );
  return line('ok', name, `on, port ${ws.port}, password set (${ws.source})`);
}

export async function obsConnectionLine(d: DoctorDeps, ws: ObsWebsocketSettings | null): Promise<CheckLine> {
  const name = 'OBS connection';
  if (!ws || !ws.serverEnabled) return line('warn', name, 'not tried: obs-websocket is off');
  const r = await d.connectObs(ws.url, ws.authRequired ? ws.password : undefined, d.timeoutMs);
  if (r.ok)
    return line(
      'ok',
      name,
      `OBS ${r.obsVersion} (obs-websocket ${r.wsVersion}) answers at ${ws.url}, password accepted`,
    );
  if (r.reason === 'refused')
    return line(
      'fail',
      name,
      `nothing answers at ${ws.url}`,
      'start OBS (with the WebSocket server on); a port changed in OBS takes effect after OBS saves its config',
    );
  if (r.reason === 'auth')
    return line(
      'fail',
      name,
      `OBS at ${ws.url} rejected the password in ${ws.source}`,
      'the password was changed while OBS runs: restart OBS (it saves the new one), or set it again in Tools > WebSocket Server Settings',
    );
  return line(
    'fail',
    name,
    `${ws.url}: ${r.detail}`,
    'restart OBS; if it persists, another program may hold that port',
  );
}

export function dockLine(d: DoctorDeps, layout: ObsLayout | Error): CheckLine {
  const name = 'Dock';
  const fix = 'close OBS and run `artc-ingest install`';
  if (layout instanceof Error) return line('warn', name, 'not checked: OBS config not found');
  let docks;
  try {
    docks = readDocks(readText(d, layout.docksIni) ?? '').docks;
  } catch (e) {
    return line(
      'fail',
      name,
      `${layout.docksIni}: ${(e as Error).message}`,
      'fix the docks in OBS (Docks > Custom Browser Docks), then ' + fix,
    );
  }
  const ours = docks.find((x) => x.title === DOCK_TITLE);
  if (!ours) return line('fail', name, `no "${DOCK_TITLE}" dock in ${layout.docksIni}`, fix);
  let url: URL;
  try {
    url = new URL(ours.url);
  } catch {
    return line('fail', name, `the "${DOCK_TITLE}" dock's URL is not a URL`, fix);
  }
  if (!d.token) return line('fail', name, 'the dock is there but this machine has no helper token yet', fix);
  if (url.searchParams.get('token') !== d.token)
    return line(
      'fail',
      name,
      `the "${DOCK_TITLE}" dock carries another token (from an older install or another config folder)`,
      fix,
    );
  if (url.port !== String(d.port))
    return line(
      'fail',
      name,
      `the dock points at port ${url.port}, the helper uses ${d.port}`,
      `close OBS and run \`artc-ingest install --port ${d.port}\``,
    );
  return line('ok', name, `"${DOCK_TITLE}" installed (${layout.docksIni}), token and port ${d.port} match`);
}

export function scriptLine(d: DoctorDeps, layout: ObsLayout | Error): CheckLine {
  const name = 'OBS script';
  const fix = 'close OBS and run `artc-ingest install`';
  const exists = d.exists ?? existsSync;
  if (layout instanceof Error) return line('warn', name, 'not checked: OBS config not found');
  let scripts;
  try {
    scripts = readScripts(readText(d, layout.sceneCollectionFile) ?? '').scripts;
  } catch (e) {
    return line('fail', name, `${layout.sceneCollectionFile}: ${(e as Error).message}`, fix);
  }
  const ours = scripts.find((s) => s.path.replace(/\\/g, '/').endsWith(`/${LUA_FILE_NAME}`));
  if (!ours)
    return line('fail', name, `${LUA_FILE_NAME} is not in scene collection "${layout.sceneCollectionName}"`, fix);
  if (!exists(ours.path))
    return line('fail', name, `registered, but ${ours.path} does not exist (moved or removed?)`, fix);
  const helper = ours.settings?.helper_path;
  if (typeof helper === 'string' && helper && !exists(helper))
    return line('fail', name, `its helper path ${helper} does not exist`, fix);
  return line('ok', name, `${LUA_FILE_NAME} registered in scene collection "${layout.sceneCollectionName}"`);
}

export async function helperPortLine(d: DoctorDeps): Promise<CheckLine> {
  const name = 'Helper port';
  const r = await probeHelper(d.port, d.token, d.fetch, d.timeoutMs);
  if (r.kind === 'free')
    return line('ok', name, `${d.port} is free (the helper is not running; OBS's script starts it)`);
  if (r.kind === 'ours')
    return line(
      'ok',
      name,
      `${d.port}: our helper answers${r.version ? ` (v${r.version}${r.mode ? `, ${r.mode} mode` : ''})` : ''}`,
    );
  if (r.kind === 'ours-other-token')
    return line(
      'fail',
      name,
      `${d.port}: an artc-ingest helper with another token answers (started with another config folder?)`,
      'stop that helper, or use another port (`artc-ingest install --port N`)',
    );
  return line(
    'fail',
    name,
    `${d.port} is taken by another program (${r.detail})`,
    'stop that program, or use another port (`artc-ingest install --port N`)',
  );
}
