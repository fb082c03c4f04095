// @vitest-environment happy-dom
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ObsClient, type ObsClosedEvent } from '../../shared/obs-client.js';
import { authenticationHash, ObsSocket, type WebSocketLike } from '../../dock/src/obs/obs-socket.js';

const b64sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('base64');

/** A scripted obs-websocket 5 server on the other end of a fake WebSocket. */
class FakeObsServer implements WebSocketLike {
  readyState = 1;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  readonly received: any[] = [];
  constructor(
    readonly url: string,
    private readonly password: string | null,
    private readonly handlers: Record<string, (data: any) => { ok: true; data?: unknown } | { ok: false; code: number; comment: string }> = {},
  ) {
    queueMicrotask(() => this.push(0, { obsWebSocketVersion: '5.1.0', rpcVersion: 1, ...(password !== null ? { authentication: { challenge: 'chal+/=', salt: 'salt/+=' } } : {}) }));
  }
  send(data: string): void {
    const { op, d } = JSON.parse(data);
    this.received.push({ op, d });
    if (op === 1) {
      if (this.password !== null && d.authentication !== b64sha(b64sha(this.password + 'salt/+=') + 'chal+/=')) return this.serverClose(4009, 'Authentication failed.');
      this.push(2, { negotiatedRpcVersion: 1 });
    }
    if (op === 6) {
      const h = this.handlers[d.requestType];
      const r = h ? h(d.requestData) : { ok: false as const, code: 204, comment: 'unknown' };
      queueMicrotask(() =>
        this.push(7, { requestType: d.requestType, requestId: d.requestId, requestStatus: r.ok ? { result: true, code: 100 } : { result: false, code: r.code, comment: r.comment }, responseData: r.ok ? r.data : undefined }),
      );
    }
  }
  close(code = 1000, reason = ''): void {
    this.serverClose(code, reason);
  }
  event(eventType: string, eventData: unknown): void {
    this.push(5, { eventType, eventIntent: 64, eventData });
  }
  serverClose(code: number, reason: string): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ code, reason }));
  }
  private push(op: number, d: unknown): void {
    if (this.readyState === 1) this.onmessage?.({ data: JSON.stringify({ op, d }) });
  }
}

function setup(password: string | null, handlers = {}) {
  const servers: FakeObsServer[] = [];
  const client = new ObsClient({
    createSocket: () => new ObsSocket((url) => (servers[servers.length] = new FakeObsServer(url, password, handlers))),
    warn: () => undefined,
  });
  const closed: ObsClosedEvent[] = [];
  client.on('closed', (e) => closed.push(e));
  return { client, servers, closed };
}

describe('dock ObsSocket (obs-websocket 5 over the browser WebSocket)', () => {
  it('computes the protocol.md authentication string', async () => {
    expect(await authenticationHash('pw', 'salt/+=', 'chal+/=')).toBe(b64sha(b64sha('pw' + 'salt/+=') + 'chal+/='));
  });

  it('identifies with rpcVersion 1, the event subscriptions and the hashed password', async () => {
    const t = setup('secret');
    const connected = await t.client.connect('ws://127.0.0.1:4455', 'secret');
    expect(connected).toMatchObject({ obsWebSocketVersion: '5.1.0', negotiatedRpcVersion: 1 });
    const identify = t.servers[0]!.received.find((m) => m.op === 1)!.d;
    expect(identify).toMatchObject({ rpcVersion: 1, eventSubscriptions: 65 });
    expect(typeof identify.authentication).toBe('string');
    expect(t.client.state).toBe('connected');
  });

  it('a wrong password closes with 4009: auth-failed', async () => {
    const t = setup('secret');
    await expect(t.client.connect('ws://127.0.0.1:4455', 'nope')).rejects.toMatchObject({ kind: 'closed', code: 4009 });
    expect(t.closed[0]).toMatchObject({ code: 4009, classification: 'auth-failed', wasConnected: false });
  });

  it('requests resolve with responseData; a failed status rejects with its code', async () => {
    const t = setup(null, {
      GetStreamStatus: () => ({ ok: true, data: { outputActive: true, outputBytes: 5 } }),
      StopStream: () => ({ ok: false, code: 501, comment: 'OutputNotRunning' }),
    });
    await t.client.connect('ws://x', undefined);
    expect(await t.client.call('GetStreamStatus')).toMatchObject({ outputActive: true, outputBytes: 5 });
    await expect(t.client.call('StopStream')).rejects.toMatchObject({ kind: 'request', code: 501 });
  });

  it('delivers events, and a server close rejects pending calls and reports the close code', async () => {
    const t = setup(null, { StartStream: () => ({ ok: true }) });
    await t.client.connect('ws://x', undefined);
    const states: string[] = [];
    t.client.on('StreamStateChanged', (e) => states.push(e.outputState));
    t.servers[0]!.event('StreamStateChanged', { outputActive: true, outputState: 'OBS_WEBSOCKET_OUTPUT_STARTED' });
    expect(states).toEqual(['OBS_WEBSOCKET_OUTPUT_STARTED']);

    const server = t.servers[0]!;
    server.send = () => undefined; // OBS goes silent: the request never gets an answer
    const pending = t.client.call('GetStats', undefined, 60_000);
    server.serverClose(4011, 'kicked');
    await expect(pending).rejects.toMatchObject({ kind: 'closed', code: 4011 });
    expect(t.closed.at(-1)).toMatchObject({ code: 4011, classification: 'session-invalidated', wasConnected: true });
  });

  it('disconnect() closes and resolves; calls after it are refused', async () => {
    const t = setup(null);
    await t.client.connect('ws://x', undefined);
    await t.client.disconnect();
    expect(t.client.state).toBe('idle');
    await expect(t.client.call('GetVersion')).rejects.toMatchObject({ kind: 'not-connected' });
  });
});
