// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/preact';
import { App } from '../../dock/src/components/App/index.js';
import { StreamKey } from '../../dock/src/components/StreamKey/index.js';
import { ActionLog } from '../../dock/src/components/ActionLog/index.js';
import { ModelContext } from '../../dock/src/components/context.js';
import { setupModel, useFakeDockTimers } from '../helpers/dock-fakes.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

useFakeDockTimers(T0);

const URL_INFO = {
  server: 'rtmp://live.example.com/app',
  streamKey: 'stream-abcdef123?auth_key=1700000000-0-0-deadbeef',
  expiresAt: T0 + 3_725_000,
  requestId: 'REQ-MINT-1',
};

async function mount(extraObs = {}) {
  const t = setupModel({ obs: extraObs });
  render(<App model={t.model} />);
  t.model.start();
  await vi.advanceTimersByTimeAsync(10);
  return t;
}

describe('dock: status panel', () => {
  it('renders state, recovery countdown, URL expiry countdown, presence and the last error with Code and RequestId', async () => {
    const t = await mount();
    const status = screen.getByRole('status');
    expect(within(status).getByText('Off air')).toBeTruthy();

    t.sup.set({
      kind: 'recovering',
      reason: 'publisher-absent',
      attempt: 3,
      nextTryAt: T0 + 10_000,
      url: URL_INFO,
      presence: { status: 'absent', lastSeenAt: null },
      lastError: {
        code: 'Throttling.User',
        message: 'Request was denied due to user flow control.',
        requestId: 'REQ-42',
      },
      counters: {
        recoveries: 3,
        recoveriesByReason: { 'publisher-absent': 2, 'obs-stopped': 1 },
        offAirMs: 30_000,
        lastRecoveryAt: null,
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(within(status).getByText('Recovering')).toBeTruthy();
    expect(within(status).getByText('Next try in 10 s (attempt 3)')).toBeTruthy();
    expect(within(status).getByTestId('url-expiry').textContent).toBe('1:02:05');
    expect(within(status).getByText('no')).toBeTruthy();
    expect(within(status).getByText('Throttling.User')).toBeTruthy();
    expect(within(status).getByText('REQ-42')).toBeTruthy();
    expect(within(status).getByText('Request was denied due to user flow control.')).toBeTruthy();
    expect(status.textContent).toContain('(publisher-absent 2, obs-stopped 1)');
    expect(status.textContent).toContain('0:30'); // time off air

    await vi.advanceTimersByTimeAsync(4_000);
    expect(within(status).getByText('Next try in 6 s (attempt 3)')).toBeTruthy();
    expect(within(status).getByTestId('url-expiry').textContent).toBe('1:02:01');
  });

  it('shows uptime, bitrate (delta bytes / delta time), dropped and skipped frames and congestion from OBS while live', async () => {
    let bytes = 0;
    const t = await mount({
      handlers: {
        GetStreamStatus: () => {
          bytes += 500_000; // 500 kB per 2 s poll = 2000 kb/s
          return {
            outputActive: true,
            outputReconnecting: false,
            outputTimecode: '',
            outputDuration: 65_000,
            outputCongestion: 0.12,
            outputBytes: bytes,
            outputSkippedFrames: 3,
            outputTotalFrames: 1200,
          };
        },
        GetStats: () => ({
          cpuUsage: 1,
          memoryUsage: 1,
          availableDiskSpace: 1,
          activeFps: 30,
          averageFrameRenderTime: 1,
          renderSkippedFrames: 0,
          renderTotalFrames: 1,
          outputSkippedFrames: 7,
          outputTotalFrames: 1200,
          webSocketSessionIncomingMessages: 0,
          webSocketSessionOutgoingMessages: 0,
        }),
      },
    });
    t.sup.set({ kind: 'live', since: T0, presence: { status: 'present', lastSeenAt: T0 } });
    await vi.advanceTimersByTimeAsync(4_100);
    const status = screen.getByRole('status');
    expect(status.textContent).toContain('Live');
    expect(status.textContent).toContain('1:05'); // OBS's outputDuration
    expect(status.textContent).toContain('2.00 Mb/s');
    expect(status.textContent).toContain('3 / 1200 (0.3%) / 7');
    expect(status.textContent).toContain('12%');
    expect(within(status).getByText('yes')).toBeTruthy();
    // polls are a setTimeout chain every 2 s while active
    const polls = t.sockets.last.received.filter((r) => r.requestType === 'GetStreamStatus').length;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(t.sockets.last.received.filter((r) => r.requestType === 'GetStreamStatus').length).toBe(polls + 1);
  });
});

describe('dock: stream key', () => {
  it('shows the server, the key masked; Reveal shows it; Copy copies the full key', async () => {
    const t = setupModel();
    const copy = vi.fn(async () => true);
    render(
      <ModelContext.Provider value={t.model}>
        <StreamKey copy={copy} />
      </ModelContext.Provider>,
    );
    expect(screen.getByText('No URL yet: Go live mints one.')).toBeTruthy();
    t.sup.set({ url: URL_INFO });
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByText('rtmp://live.example.com/app')).toBeTruthy();
    const key = screen.getByTestId('stream-key');
    expect(key.textContent).toBe('stream…?auth_key=••••');
    expect(document.body.textContent).not.toContain('deadbeef');
    fireEvent.click(screen.getByRole('button', { name: 'Reveal' }));
    expect(key.textContent).toBe(URL_INFO.streamKey);
    fireEvent.click(screen.getByRole('button', { name: 'Hide' }));
    expect(key.textContent).toBe('stream…?auth_key=••••');
    fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(copy).toHaveBeenCalledWith(URL_INFO.streamKey);
    expect(screen.getByText('Copied')).toBeTruthy();
  });
});

describe('dock: action log', () => {
  it('lists recent entries newest first and exports JSON lines', async () => {
    const t = setupModel();
    const download = vi.fn();
    render(
      <ModelContext.Provider value={t.model}>
        <ActionLog download={download} />
      </ModelContext.Provider>,
    );
    t.sup.set({}, [
      { at: T0, level: 'info', reason: 'go-live', message: 'Go live' },
      {
        at: T0 + 1000,
        level: 'error',
        reason: 'mint-failed',
        message: 'mint failed',
        error: { code: 'Forbidden.RAM', message: 'no', requestId: 'REQ-9' },
      },
    ]);
    await vi.advanceTimersByTimeAsync(0);
    const items = screen.getAllByRole('listitem');
    expect(items[0]?.textContent).toContain('mint-failed');
    expect(items[0]?.textContent).toContain('[Forbidden.RAM REQ-9]');
    expect(items[1]?.textContent).toContain('go-live');
    fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    const [name, text] = download.mock.calls[0] as [string, string];
    expect(name).toMatch(/^artc-ingest-log-.*\.jsonl$/);
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { reason: string });
    expect(lines.map((l) => l.reason)).toEqual(['go-live', 'mint-failed']);
  });
});
