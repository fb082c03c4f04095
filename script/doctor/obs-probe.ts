/**
 * One obs-websocket connection attempt with a deadline (obs-websocket-js has none: obs.md), then GetVersion.
 * Classifies the outcome for doctor: refused (OBS not running / server off), auth (close code 4009: the password
 * was rejected), timeout, or another error. Always disconnects.
 */
import OBSWebSocket from 'obs-websocket-js/json';

export type ObsProbe =
  | { ok: true; obsVersion: string; wsVersion: string }
  | { ok: false; reason: 'refused' | 'auth' | 'timeout' | 'error'; detail: string };

export type ConnectObs = (url: string, password: string | undefined, timeoutMs: number) => Promise<ObsProbe>;

/** obs-websocket close code AuthenticationFailed (obs-websocket-js does not export the constants). */
const AUTH_FAILED = 4009;

export const connectObs: ConnectObs = async (url, password, timeoutMs) => {
  const ws = new OBSWebSocket();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { timeout: true })),
      timeoutMs,
    );
  });
  try {
    const hello = await Promise.race([ws.connect(url, password, { rpcVersion: 1 }), deadline]);
    const v = await Promise.race([ws.call('GetVersion'), deadline]);
    return { ok: true, obsVersion: v.obsVersion, wsVersion: hello.obsWebSocketVersion };
  } catch (e) {
    const err = e as { code?: number; message?: string; timeout?: boolean };
    if (err.timeout) return { ok: false, reason: 'timeout', detail: err.message ?? 'timeout' };
    if (err.code === AUTH_FAILED) return { ok: false, reason: 'auth', detail: err.message || 'authentication failed' };
    if (/ECONNREFUSED/.test(err.message ?? '')) return { ok: false, reason: 'refused', detail: 'connection refused' };
    return { ok: false, reason: 'error', detail: err.message || `closed with code ${err.code}` };
  } finally {
    clearTimeout(timer);
    // disconnect() may itself hang on a half-open socket: bounded too
    await Promise.race([ws.disconnect().catch(() => undefined), new Promise((r) => setTimeout(r, 1_000).unref())]);
  }
};
