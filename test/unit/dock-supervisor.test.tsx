// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/preact';
import { App } from '../../dock/src/components/App/index.js';
import { CHANNEL, setupModel, useFakeDockTimers } from '../helpers/dock-fakes.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const KEY = 'obs-1?auth_key=1767232800-0-0-0123456789abcdef';

useFakeDockTimers(T0);

function setup(
  present = true,
  obs: { url?: string; hints?: { url: string; source: string } } = {},
  lazyLoad?: () => Promise<void>,
) {
  let streaming = false;
  const t = setupModel({
    realSupervisor: true,
    ...(lazyLoad ? { lazyLoad } : {}),
    api: {
      ...(obs.hints ? { obsHints: () => obs.hints! } : {}),
      getSettings: () => ({ presets: [{ id: 'p1', name: 'Main', channel: CHANNEL }], selectedPresetId: 'p1' }),
      ingestUrl: () => ({
        requestId: 'REQ-MINT',
        rtmpAddress: `rtmp://live.example.com/app/${KEY}`,
        server: 'rtmp://live.example.com/app',
        streamKey: KEY,
        expiresAt: new Date(T0 + 3_600_000).toISOString(),
      }),
      participants: () => ({ requestId: 'REQ-P', users: present ? ['obs-1'] : [], total: present ? 1 : 0 }),
    },
    obs: {
      ...(obs.url ? { url: obs.url } : {}),
      handlers: {
        GetStreamStatus: () => ({
          outputActive: streaming,
          outputReconnecting: false,
          outputTimecode: '',
          outputDuration: 1000,
          outputCongestion: 0,
          outputBytes: 100,
          outputSkippedFrames: 0,
          outputTotalFrames: 30,
        }),
        SetStreamServiceSettings: () => ({}),
        StartStream: () => {
          // the outcome comes later, as events (obs.md): STARTING, then STARTED
          setTimeout(() => {
            t.sockets.last.send('StreamStateChanged', {
              outputActive: false,
              outputState: 'OBS_WEBSOCKET_OUTPUT_STARTING',
            });
            streaming = true;
            t.sockets.last.send('StreamStateChanged', {
              outputActive: true,
              outputState: 'OBS_WEBSOCKET_OUTPUT_STARTED',
            });
          }, 300);
          return {};
        },
        StopStream: () => {
          setTimeout(() => {
            t.sockets.last.send('StreamStateChanged', {
              outputActive: false,
              outputState: 'OBS_WEBSOCKET_OUTPUT_STOPPING',
            });
            streaming = false;
            t.sockets.last.send('StreamStateChanged', {
              outputActive: false,
              outputState: 'OBS_WEBSOCKET_OUTPUT_STOPPED',
            });
          }, 100);
          return {};
        },
      },
    },
  });
  return t;
}

describe('dock + the real supervisor runner', () => {
  it('Go live: lease, intent, mint, rtmp_custom, StartStream, wait for STARTED, presence; then Stop', async () => {
    const t = setup();
    render(<App model={t.model} />);
    t.model.start();
    await vi.advanceTimersByTimeAsync(10);
    fireEvent.click(screen.getByRole('button', { name: 'Go live' }));
    await vi.advanceTimersByTimeAsync(50);
    expect((screen.getByRole('button', { name: 'Go live' }) as HTMLButtonElement).disabled).toBe(true);

    await vi.advanceTimersByTimeAsync(3_000);
    const status = screen.getByRole('status');
    expect(within(status).getByText('Live')).toBeTruthy();
    expect(within(status).getByText('yes')).toBeTruthy();

    expect(t.api.callsOf('lease')[0]?.body).toMatchObject({
      holder: 'dock-test',
      obsUrl: 'ws://127.0.0.1:4455',
      ttlMs: 15_000,
    });
    expect(t.api.callsOf('putIntent')[0]?.body).toMatchObject({ shouldBeLive: true, channel: CHANNEL, by: 'dock' });
    expect(t.api.callsOf('ingestUrl')[0]?.body).toEqual(CHANNEL);
    const sent = t.sockets.last.received.map((r) => r.requestType);
    expect(sent.filter((r) => r === 'StartStream')).toHaveLength(1);
    expect(sent.indexOf('SetStreamServiceSettings')).toBeLessThan(sent.indexOf('StartStream'));
    const set = t.sockets.last.received.find((r) => r.requestType === 'SetStreamServiceSettings')?.requestData;
    expect(set).toMatchObject({
      streamServiceType: 'rtmp_custom',
      streamServiceSettings: { server: 'rtmp://live.example.com/app', key: KEY },
    });

    // the stream key panel: the server, the key masked
    fireEvent.click(screen.getByText('Stream key', { selector: 'summary' }));
    expect(screen.getByText('rtmp://live.example.com/app')).toBeTruthy();
    expect(screen.getByTestId('stream-key').textContent).toBe('obs-1?auth_key=••••');
    expect(within(status).getByTestId('url-expiry').textContent).toMatch(/^5\d:\d\d$/);

    // the action log has the transitions, never the key
    const log = t.model.exportLog();
    expect(log).toContain('"to":"live"');
    expect(log).not.toContain('0123456789abcdef');

    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(within(status).getByText('Stopped')).toBeTruthy();
    expect(t.api.callsOf('putIntent').at(-1)?.body).toMatchObject({ shouldBeLive: false });
    expect(t.api.callsOf('lease').at(-1)?.body).toMatchObject({ release: true });
    expect((screen.getByRole('button', { name: 'Go live' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('the supervisor loaded on Go live (as the dock does): locked while it loads; a Stop then is not lost', async () => {
    let open = () => {};
    const gate = new Promise<void>((r) => (open = r));
    const load = vi.fn(() => gate);
    const t = setup(true, {}, load);
    render(<App model={t.model} />);
    t.model.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(load).not.toHaveBeenCalled(); // opened, connected to OBS, not live: no supervisor yet
    const goLive = () => screen.getByRole('button', { name: 'Go live' }) as HTMLButtonElement;
    const stop = () => screen.getByRole('button', { name: 'Stop' }) as HTMLButtonElement;
    fireEvent.click(goLive());
    await vi.advanceTimersByTimeAsync(50);
    expect(load).toHaveBeenCalledOnce();
    expect(goLive().disabled).toBe(true); // still loading: a second click cannot start a second Go live
    expect(stop().disabled).toBe(false);
    fireEvent.click(stop());
    await vi.advanceTimersByTimeAsync(50);
    open();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(within(screen.getByRole('status')).getByText('Stopped')).toBeTruthy();
    expect(t.sockets.last.received.map((r) => r.requestType)).not.toContain('StartStream');
    expect(t.api.callsOf('putIntent').at(-1)?.body).toMatchObject({ shouldBeLive: false });
    expect(goLive().disabled).toBe(false);
  });

  it('the supervisor loaded on Go live goes live like the eager one', async () => {
    let open = () => {};
    const gate = new Promise<void>((r) => (open = r));
    const t = setup(true, {}, () => gate);
    render(<App model={t.model} />);
    t.model.start();
    await vi.advanceTimersByTimeAsync(10);
    fireEvent.click(screen.getByRole('button', { name: 'Go live' }));
    await vi.advanceTimersByTimeAsync(50);
    open();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(within(screen.getByRole('status')).getByText('Live')).toBeTruthy();
    expect(t.sockets.last.received.filter((r) => r.requestType === 'StartStream')).toHaveLength(1);
  });

  it('another holder has the lease: shows it and never touches OBS', async () => {
    const t = setup();
    t.api.handlers.lease = () => ({ granted: false, holder: 'run-77', expiresAt: new Date(T0 + 15_000).toISOString() });
    render(<App model={t.model} />);
    t.model.start();
    await vi.advanceTimersByTimeAsync(10);
    fireEvent.click(screen.getByRole('button', { name: 'Go live' }));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(screen.getByText('Supervised by another instance (run-77).')).toBeTruthy();
    const sent = t.sockets.last.received.map((r) => r.requestType);
    expect(sent).not.toContain('StartStream');
    expect(sent).not.toContain('SetStreamServiceSettings');
    expect(t.api.callsOf('ingestUrl')).toHaveLength(0);
  });

  describe('one click from what the user typed (the helper could not prefill OBS settings)', () => {
    const OBS_URL = 'ws://127.0.0.1:4470'; // not the default port: a second OBS profile, say
    const hints = { url: 'ws://127.0.0.1:4455', source: 'default' };
    /** the dock open with nothing prefilled, OBS listening on OBS_URL only */
    const open = async () => {
      const t = setup(true, { url: OBS_URL, hints });
      render(<App model={t.model} />);
      t.model.start();
      await vi.advanceTimersByTimeAsync(10);
      return t;
    };
    /** the user types a wrong password and clicks Go live once */
    const goLiveWithWrongPassword = async () => {
      typeObs(OBS_URL, 'wrong');
      fireEvent.click(screen.getByRole('button', { name: 'Go live' }));
      await vi.advanceTimersByTimeAsync(200);
    };
    const typeObs = (url: string, password: string) => {
      fireEvent.input(screen.getByRole('textbox', { name: 'OBS WebSocket URL' }), { target: { value: url } });
      fireEvent.input(screen.getByLabelText('OBS WebSocket password'), { target: { value: password } });
    };

    it('Go live with OBS not connected connects with the typed URL and password and goes live', async () => {
      const t = await open();
      expect(screen.getByText('Unreachable')).toBeTruthy();
      typeObs(OBS_URL, 'secret');
      // clicked at once, before the typing pause retargets anything
      fireEvent.click(screen.getByRole('button', { name: 'Go live' }));
      await vi.advanceTimersByTimeAsync(3_000);
      expect(within(screen.getByRole('status')).getByText('Live')).toBeTruthy();
      expect(screen.queryByText(/Connect to OBS first/)).toBeNull();
      const connects = t.sockets.sockets.flatMap((s) => s.connects.map((c) => `${c.url} ${c.password ?? ''}`));
      expect(connects.slice(1)).toEqual([`${OBS_URL} secret`]); // [0] was the default URL, before any typing
      expect(t.sockets.last.received.filter((r) => r.requestType === 'StartStream')).toHaveLength(1);
    });

    it('a wrong password: says auth failed by the password, does not stream or loop; the right one goes on by itself', async () => {
      const t = await open();
      await goLiveWithWrongPassword();
      expect(screen.getByText('Auth failed')).toBeTruthy();
      expect(document.getElementById('obs-help')!.textContent).toMatch(/^Wrong password/);
      expect(screen.getByLabelText('OBS WebSocket password').getAttribute('aria-describedby')).toBe('obs-help');
      expect(screen.getByText(/Waiting for OBS: check the WebSocket URL and password above/)).toBeTruthy();
      const socketsAfterRefusal = t.sockets.sockets.length;
      await vi.advanceTimersByTimeAsync(60_000);
      expect(t.sockets.sockets.length, 'no reconnect loop on 4009').toBe(socketsAfterRefusal);
      expect(t.api.callsOf('ingestUrl')).toHaveLength(0);
      expect(t.sockets.sockets.flatMap((s) => s.received).some((r) => r.requestType === 'StartStream')).toBe(false);
      expect((screen.getByRole('button', { name: 'Stop' }) as HTMLButtonElement).disabled).toBe(false);

      fireEvent.input(screen.getByLabelText('OBS WebSocket password'), { target: { value: 'secret' } });
      await vi.advanceTimersByTimeAsync(4_000);
      expect(within(screen.getByRole('status')).getByText('Live')).toBeTruthy();
      expect(t.sockets.last.received.filter((r) => r.requestType === 'StartStream')).toHaveLength(1);
    });

    it('Stop while waiting for OBS drops the intent: the right password then only connects', async () => {
      const t = await open();
      await goLiveWithWrongPassword();
      fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
      await vi.advanceTimersByTimeAsync(10);
      fireEvent.input(screen.getByLabelText('OBS WebSocket password'), { target: { value: 'secret' } });
      await vi.advanceTimersByTimeAsync(4_000);
      expect(screen.getByText('Connected')).toBeTruthy();
      expect(t.api.callsOf('ingestUrl')).toHaveLength(0);
      expect((screen.getByRole('button', { name: 'Go live' }) as HTMLButtonElement).disabled).toBe(false);
    });
  });
});
