// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { App } from '../../dock/src/components/App/index.js';
import { CHANNEL, setupModel, type ModelSetup, useFakeDockTimers } from '../helpers/dock-fakes.js';

useFakeDockTimers();

async function ready(opts: ModelSetup = {}) {
  const t = setupModel({
    api: { getSettings: () => ({ presets: [{ id: 'p1', name: 'Main', channel: CHANNEL }], selectedPresetId: 'p1' }) },
    ...opts,
  });
  render(<App model={t.model} />);
  t.model.start();
  await vi.advanceTimersByTimeAsync(10);
  return t;
}

const goLive = () => screen.getByRole('button', { name: 'Go live' }) as HTMLButtonElement;
const stop = () => screen.getByRole('button', { name: 'Stop' }) as HTMLButtonElement;

describe('dock: Go live', () => {
  it('connects to OBS with the prefilled password, then Go live hands the channel to the supervisor', async () => {
    const t = await ready();
    expect(t.sockets.last.connects[0]).toMatchObject({ url: 'ws://127.0.0.1:4455', password: 'secret' });
    expect(screen.getByText('Connected')).toBeTruthy();
    expect(goLive().disabled).toBe(false);
    expect(stop().disabled).toBe(true);

    fireEvent.click(goLive());
    await vi.advanceTimersByTimeAsync(0);
    expect(t.sup.calls.find((c) => c.kind === 'goLive')?.arg).toEqual(CHANNEL);
  });

  it('is locked while starting (every step until STARTED/STOPPED and presence), and a second click does nothing', async () => {
    const t = await ready();
    fireEvent.click(goLive());
    await vi.advanceTimersByTimeAsync(0);
    for (const kind of ['connecting', 'minting', 'configuring', 'starting', 'confirming'] as const) {
      t.sup.set({ kind });
      await vi.advanceTimersByTimeAsync(0);
      expect(goLive().disabled, kind).toBe(true);
      expect(goLive().getAttribute('aria-busy'), kind).toBe('true');
      expect(stop().disabled, kind).toBe(false);
      fireEvent.click(goLive());
    }
    expect(t.sup.calls.filter((c) => c.kind === 'goLive')).toHaveLength(1);
    // the channel cannot change under a running supervisor
    expect((screen.getByRole('textbox', { name: 'App ID' }) as HTMLInputElement).disabled).toBe(true);

    t.sup.set({ kind: 'live', since: Date.now() });
    await vi.advanceTimersByTimeAsync(0);
    expect(goLive().disabled).toBe(true);
    expect(goLive().getAttribute('aria-busy')).toBe('false');

    t.sup.set({ kind: 'failed', reason: 'start-timeout' });
    await vi.advanceTimersByTimeAsync(0);
    expect(goLive().disabled).toBe(false);
  });

  it('Go live with a URL that is not ws:// says so and does nothing', async () => {
    const t = await ready();
    fireEvent.input(screen.getByRole('textbox', { name: 'OBS WebSocket URL' }), {
      target: { value: '127.0.0.1:4455' },
    });
    fireEvent.click(goLive());
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByText('Fix the OBS WebSocket URL first.')).toBeTruthy();
    expect(screen.getByRole('textbox', { name: 'OBS WebSocket URL' }).getAttribute('aria-invalid')).toBe('true');
    expect(t.sup.calls.some((c) => c.kind === 'goLive')).toBe(false);
  });

  it('Stop asks the supervisor to stop; Retry now shows only while recovering', async () => {
    const t = await ready();
    fireEvent.click(goLive());
    await vi.advanceTimersByTimeAsync(0);
    t.sup.set({ kind: 'recovering', nextTryAt: Date.now() + 8_000, attempt: 2, reason: 'obs-stopped' });
    await vi.advanceTimersByTimeAsync(0);
    fireEvent.click(screen.getByRole('button', { name: 'Retry now' }));
    expect(t.sup.calls.at(-1)?.kind).toBe('retryNow');
    fireEvent.click(stop());
    await vi.advanceTimersByTimeAsync(0);
    expect(t.sup.calls.at(-1)?.kind).toBe('stop');
    expect(screen.queryByRole('button', { name: 'Retry now' })).toBeNull();
  });

  it('Stop with nothing supervised but OBS streaming sends StopStream (501 = already stopped is fine)', async () => {
    let active = true;
    const t = await ready({
      obs: {
        handlers: {
          GetStreamStatus: () => ({
            outputActive: active,
            outputReconnecting: false,
            outputTimecode: '',
            outputDuration: 5000,
            outputCongestion: 0,
            outputBytes: 1000,
            outputSkippedFrames: 0,
            outputTotalFrames: 150,
          }),
          StopStream: () => {
            active = false;
            return {};
          },
        },
      },
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(stop().disabled).toBe(false);
    fireEvent.click(stop());
    await vi.advanceTimersByTimeAsync(10);
    expect(t.sockets.last.received.some((r) => r.requestType === 'StopStream')).toBe(true);
    expect(t.api.callsOf('putIntent').at(-1)?.body).toEqual({ shouldBeLive: false, by: 'dock' });
  });

  it('another lease holder: "Supervised by another instance"; no Retry now; Go live only asks for the lease again', async () => {
    const t = await ready();
    t.sup.set({
      kind: 'failed',
      reason: 'LeaseHeld',
      supervisedBy: 'run-1234',
      lastError: { code: 'LeaseHeld', message: 'another supervisor (run-1234) is acting on this OBS' },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByText('Supervised by another instance (run-1234).')).toBeTruthy();
    expect(screen.getByText('LeaseHeld')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Retry now' })).toBeNull();
    expect(goLive().disabled).toBe(false);
  });

  it('resumes supervision on load when the intent says shouldBeLive', async () => {
    const t = await ready({
      api: { getIntent: () => ({ shouldBeLive: true, channel: { ...CHANNEL, channelId: 'resumed' } }) },
    });
    expect(t.sup.calls.find((c) => c.kind === 'resume')?.arg).toMatchObject({ channelId: 'resumed' });
    expect((screen.getByRole('textbox', { name: 'Channel ID' }) as HTMLInputElement).value).toBe('resumed');
  });
});

describe('dock: sandbox faults', () => {
  it('appear only in sandbox mode and post the fault for the current channel', async () => {
    const t = await ready();
    fireEvent.click(screen.getByText('Sandbox faults', { selector: 'summary' }));
    fireEvent.click(screen.getByRole('button', { name: 'Kick publisher' }));
    fireEvent.click(screen.getByRole('button', { name: 'Fail next 3 mints' }));
    fireEvent.click(screen.getByRole('button', { name: 'Shift clock +11 h' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(t.api.callsOf('fault').map((c) => c.body)).toEqual([
      { kind: 'kick', appId: 'app_1', channelId: 'room-1', userId: 'obs-1' },
      {
        kind: 'fail-next',
        action: 'CreateRoomRealTimeStreamAddress',
        count: 3,
        status: 503,
        code: 'ServiceUnavailable',
      },
      { kind: 'shift-clock', seconds: 39_600 },
    ]);
    cleanup();
    const cloud = setupModel({
      api: {
        health: () => ({
          ok: true,
          version: '0',
          mode: 'cloud',
          endpoint: 'https://live.aliyuncs.com',
          credentialSource: 'env',
          startedAt: '',
        }),
      },
    });
    render(<App model={cloud.model} />);
    cloud.model.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(screen.queryByText('Sandbox faults')).toBeNull();
    expect(screen.queryByText('Sandbox')).toBeNull();
  });
});
