/**
 * "OBS is ready" for the rig: its websocket port accepts a TCP connection and an Identify with the password
 * succeeds. Polls against a deadline; a 4009 means another program holds the port.
 */
import { connect as tcpConnect } from 'node:net';
import OBSWebSocket from 'obs-websocket-js/json';
import { sleep } from './proc-tree.js';

/** Polls: the port accepts a TCP connection, then an obs-websocket Identify with the password succeeds. */
export async function waitForWebsocket(
  port: number,
  password: string,
  deadline: number,
  died: () => boolean,
  context: () => string,
): Promise<void> {
  let lastError = 'port never accepted';
  while (Date.now() < deadline) {
    if (died()) throw new Error(`OBS exited during start-up:\n${context()}`);
    if (await tcpAccepts(port, 500)) {
      const result = await tryIdentify(`ws://127.0.0.1:${port}`, password, Math.min(3_000, deadline - Date.now()));
      if (result === 'ok') return;
      if (result === 4009) throw new Error(`port ${port} answered but rejected the password (4009): not our OBS?`);
      lastError = String(result);
    }
    await sleep(100);
  }
  throw new Error(`obs-websocket not ready on port ${port} before the deadline (${lastError}):\n${context()}`);
}

function tcpAccepts(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = tcpConnect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

async function tryIdentify(url: string, password: string, timeoutMs: number): Promise<'ok' | number | string> {
  const ws = new OBSWebSocket();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ws.connect(url, password),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('identify timed out')), timeoutMs))),
    ]);
    return 'ok';
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'number' && code > 0 ? code : String((err as Error).message);
  } finally {
    clearTimeout(timer);
    await Promise.race([ws.disconnect().catch(() => undefined), sleep(1_000)]);
  }
}
