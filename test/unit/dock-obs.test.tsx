// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/preact';
import { App } from '../../dock/src/components/App/index.js';
import { setupModel, type ModelSetup, useFakeDockTimers } from '../helpers/dock-fakes.js';

useFakeDockTimers();

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
    expect((screen.getByRole('textbox', { name: 'OBS WebSocket URL' }) as HTMLInputElement).value).toBe(
      'ws://127.0.0.1:4455',
    );
    expect((screen.getByLabelText('OBS WebSocket password') as HTMLInputElement).value).toBe('secret');
    expect(screen.getByText('Prefilled from global.ini.')).toBeTruthy();
    expect(pill()).toBe('Connected');
    fireEvent.click(screen.getByRole('button', { name: 'Show' }));
    expect((screen.getByLabelText('OBS WebSocket password') as HTMLInputElement).type).toBe('text');
    expect(screen.getByRole('textbox', { name: 'OBS WebSocket password' })).toBeTruthy();
  });

  it("reconnects with the supervisor's one backoff loop when OBS restarts, and counts down its real next try", async () => {
    const t = await mount({ realSupervisor: true });
    const options = t.sockets.last.options;
    options.connect = { closeCode: 1006 }; // OBS is gone for a while
    t.sockets.last.teardown(1001, 'Server stopping.');
    await vi.advanceTimersByTimeAsync(0);
    expect(pill()).toBe('Unreachable');
    const note = () => screen.getByText(/Next try in \d+ s\./).textContent!;
    const due = t.model.store.getSnapshot().obs.nextTryAt!;
    expect(due).toBeGreaterThan(Date.now());
    expect(note()).toBe(`Next try in ${Math.ceil((due - Date.now()) / 1000)} s.`);
    // one socket per try: no second loop doubles them
    const before = t.sockets.sockets.length;
    await vi.advanceTimersByTimeAsync(due - Date.now() + 1);
    expect(t.sockets.sockets.length).toBe(before + 1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(t.sockets.sockets.length).toBeGreaterThan(before + 1);
    expect(t.sockets.sockets.length).toBeLessThan(before + 8); // backoff, not a hot loop
    options.connect = 'ok';
    await vi.advanceTimersByTimeAsync(11_000);
    expect(pill()).toBe('Connected');
    expect(screen.queryByText(/Next try in/)).toBeNull();
    const after = t.sockets.sockets.length;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(t.sockets.sockets.length).toBe(after); // connected: no more attempts
  });

  it('4009 (auth failed) asks for the password, never retries the same one, and tries the new one when typing pauses', async () => {
    const t = await mount({ obs: { password: 'right' }, realSupervisor: true });
    await vi.advanceTimersByTimeAsync(200); // preact runs effects after paint
    expect(pill()).toBe('Auth failed');
    const pw = screen.getByLabelText('OBS WebSocket password') as HTMLInputElement;
    expect(document.activeElement).toBe(pw);
    expect(pw.getAttribute('aria-invalid')).toBe('true');
    expect(pw.getAttribute('aria-describedby')).toBe('obs-help');
    expect(document.getElementById('obs-help')!.textContent).toMatch(/^Wrong password\./);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sockets.sockets).toHaveLength(1);

    // typing: nothing is tried until the user pauses for about a second
    for (const partial of ['r', 'ri', 'rig', 'righ', 'right']) {
      fireEvent.input(pw, { target: { value: partial } });
      await vi.advanceTimersByTimeAsync(300);
    }
    expect(t.sockets.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(800);
    expect(pill()).toBe('Connected');
    expect(t.sockets.sockets).toHaveLength(2);
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

describe('dock: typed OBS settings retarget the connection', () => {
  it('a wrong URL, then the right one: no attempt goes to the old URL after the edit', async () => {
    const t = await mount({ obs: { url: 'ws://127.0.0.1:4466' }, realSupervisor: true });
    expect(pill()).toBe('Unreachable'); // the hint's default port: nothing listens there
    const url = screen.getByRole('textbox', { name: 'OBS WebSocket URL' });
    fireEvent.input(url, { target: { value: 'ws://127.0.0.1:4460' } }); // a typo
    await vi.advanceTimersByTimeAsync(1_100);
    await vi.advanceTimersByTimeAsync(20_000); // the supervisor's backoff retries it
    const tries = () => t.sockets.sockets.flatMap((s) => s.connects.map((c) => c.url));
    expect(tries().filter((u) => u === 'ws://127.0.0.1:4460').length).toBeGreaterThan(1);
    expect(pill()).toBe('Unreachable');

    fireEvent.input(url, { target: { value: 'ws://127.0.0.1:446' } });
    fireEvent.input(url, { target: { value: 'ws://127.0.0.1:4466' } });
    const editedAt = tries().length;
    await vi.advanceTimersByTimeAsync(1_100);
    expect(pill()).toBe('Connected');
    expect(tries().slice(editedAt)).toEqual(['ws://127.0.0.1:4466']);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(tries().slice(editedAt)).toEqual(['ws://127.0.0.1:4466']);
  });

  it('a retry that falls due while the user types waits for the pause, then goes to what they typed', async () => {
    // OBS listens on another loopback address than the hint's default
    const t = await mount({ obs: { url: 'ws://127.0.0.2:4455' }, realSupervisor: true });
    const due = t.model.store.getSnapshot().obs.nextTryAt!;
    expect(due - Date.now()).toBeLessThan(1_000); // the first retry comes sooner than a typing pause
    const url = screen.getByRole('textbox', { name: 'OBS WebSocket URL' });
    const urls = () => t.sockets.sockets.flatMap((s) => s.connects.map((c) => c.url));
    fireEvent.input(url, { target: { value: 'ws://127.0.0.2:445' } });
    await vi.advanceTimersByTimeAsync(due - Date.now() + 10); // the retry is due mid-typing
    fireEvent.input(url, { target: { value: 'ws://127.0.0.2:4455' } });
    expect(urls()).toEqual(['ws://127.0.0.1:4455']); // nothing tried at a half-typed URL
    await vi.advanceTimersByTimeAsync(1_010);
    expect(urls()).toEqual(['ws://127.0.0.1:4455', 'ws://127.0.0.2:4455']);
    expect(pill()).toBe('Connected');
  });
});
