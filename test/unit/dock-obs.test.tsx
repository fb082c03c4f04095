// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { App } from '../../dock/src/components/App/index.js';
import { setupModel, type ModelSetup } from './dock-fakes.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

async function mount(opts: ModelSetup = {}) {
  const t = setupModel(opts);
  render(<App model={t.model} />);
  t.model.start();
  await vi.advanceTimersByTimeAsync(10);
  return t;
}

const pill = () => document.querySelector('.pill')!.textContent;

describe('dock: OBS connection', () => {
  it('prefills URL and password from the helper hints and says where they came from', async () => {
    await mount();
    expect((screen.getByRole('textbox', { name: 'OBS WebSocket URL' }) as HTMLInputElement).value).toBe('ws://127.0.0.1:4455');
    expect((screen.getByLabelText('OBS WebSocket password') as HTMLInputElement).value).toBe('secret');
    expect(screen.getByText('Prefilled from global.ini.')).toBeTruthy();
    expect(pill()).toBe('Connected');
    fireEvent.click(screen.getByRole('button', { name: 'Show' }));
    expect((screen.getByLabelText('OBS WebSocket password') as HTMLInputElement).type).toBe('text');
    expect(screen.getByRole('textbox', { name: 'OBS WebSocket password' })).toBeTruthy();
  });

  it('reconnects with backoff when OBS restarts', async () => {
    const t = await mount();
    const options = t.sockets.last.options;
    options.connect = { closeCode: 1006 }; // OBS is gone for a while
    t.sockets.last.teardown(1001, 'Server stopping.');
    await vi.advanceTimersByTimeAsync(0);
    expect(pill()).toBe('Unreachable');
    expect(screen.getByText(/Next try in \d+ s\./)).toBeTruthy();
    await vi.advanceTimersByTimeAsync(5_000);
    const tries = t.sockets.sockets.length;
    expect(tries).toBeGreaterThan(3);
    options.connect = 'ok';
    await vi.advanceTimersByTimeAsync(11_000);
    expect(pill()).toBe('Connected');
    const after = t.sockets.sockets.length;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(t.sockets.sockets.length).toBe(after); // connected: no more attempts
  });

  it('4009 (auth failed) asks for the password and does not retry the same one', async () => {
    const t = await mount({ obs: { password: 'right' } });
    await vi.advanceTimersByTimeAsync(200); // preact runs effects after paint
    expect(pill()).toBe('Auth failed');
    const pw = screen.getByLabelText('OBS WebSocket password') as HTMLInputElement;
    expect(document.activeElement).toBe(pw);
    expect(pw.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText(/Enter the password from OBS/)).toBeTruthy();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sockets.sockets).toHaveLength(1);

    fireEvent.input(pw, { target: { value: 'right' } });
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    await vi.advanceTimersByTimeAsync(10);
    expect(pill()).toBe('Connected');
    expect(t.sockets.last.connects[0]?.password).toBe('right');
  });

  it('4011 (session invalidated) stops retrying until the user presses Connect', async () => {
    const t = await mount();
    t.sockets.last.teardown(4011, 'kicked');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(pill()).toBe('Disconnected by OBS');
    expect(t.sockets.sockets).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    await vi.advanceTimersByTimeAsync(10);
    expect(pill()).toBe('Connected');
  });

  it('the supervisor can ask for a reconnect; it never replaces a live session', async () => {
    const t = await mount();
    t.sup.env!.reconnectObs();
    await vi.advanceTimersByTimeAsync(10);
    expect(t.sockets.sockets).toHaveLength(1);
    t.sockets.last.options.connect = { closeCode: 4011 };
    t.sockets.last.teardown(4011);
    await vi.advanceTimersByTimeAsync(10);
    t.sockets.last.options.connect = 'ok';
    t.sup.env!.reconnectObs();
    await vi.advanceTimersByTimeAsync(10);
    expect(pill()).toBe('Connected');
    expect(t.sockets.sockets).toHaveLength(2);
  });
});

describe('dock: OBS URL', () => {
  it('refuses a URL that is not ws:// and says the expected form', async () => {
    const t = await mount();
    const url = screen.getByRole('textbox', { name: 'OBS WebSocket URL' });
    fireEvent.input(url, { target: { value: 'http://127.0.0.1:4455' } });
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    await vi.advanceTimersByTimeAsync(10);
    expect(url.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Use ws://host:port, e.g. ws://127.0.0.1:4455')).toBeTruthy();
    expect(t.sockets.sockets).toHaveLength(1);
    fireEvent.input(url, { target: { value: 'ws://127.0.0.1:4455' } });
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    await vi.advanceTimersByTimeAsync(10);
    expect(url.getAttribute('aria-invalid')).toBe('false');
    expect(pill()).toBe('Connected');
    expect((t.api.callsOf('putSettings').at(-1)?.body as { obsUrl?: string }).obsUrl).toBe('ws://127.0.0.1:4455');
  });
});
