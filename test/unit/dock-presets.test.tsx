// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/preact';
import { App } from '../../dock/src/components/App/index.js';
import { memoryStorage } from '../../dock/src/lib/storage.js';
import { CHANNEL, setupModel, useFakeDockTimers } from '../helpers/dock-fakes.js';

useFakeDockTimers();

const PRESETS = [
  { id: 'p1', name: 'Main room', channel: CHANNEL },
  { id: 'p2', name: 'Backup', channel: { ...CHANNEL, channelId: 'room-2', expireTime: undefined } },
];

function fill(values: Record<string, string>) {
  for (const [name, value] of Object.entries(values))
    fireEvent.input(screen.getByRole('textbox', { name }), { target: { value } });
}

describe('dock: presets', () => {
  it('loads the helper presets, selects the saved one into the form, and selecting another fills the fields', async () => {
    const t = setupModel({ api: { getSettings: () => ({ presets: PRESETS, selectedPresetId: 'p1' }) } });
    render(<App model={t.model} />);
    t.model.start();
    await vi.advanceTimersByTimeAsync(10);
    expect((screen.getByRole('textbox', { name: 'Channel ID' }) as HTMLInputElement).value).toBe('room-1');
    expect((screen.getByRole('textbox', { name: 'Expire time' }) as HTMLInputElement).value).toBe('3600');

    fireEvent.change(screen.getByRole('combobox', { name: 'Preset' }), { target: { value: 'p2' } });
    await vi.advanceTimersByTimeAsync(0);
    expect((screen.getByRole('textbox', { name: 'Channel ID' }) as HTMLInputElement).value).toBe('room-2');
    expect((screen.getByRole('textbox', { name: 'Expire time' }) as HTMLInputElement).value).toBe('');
    const put = t.api.callsOf('putSettings').at(-1)?.body as { selectedPresetId?: string };
    expect(put.selectedPresetId).toBe('p2');
  });

  it('Save as stores the current fields under a name, selects it, and persists to the helper and localStorage', async () => {
    const storage = memoryStorage();
    const t = setupModel({ storage });
    render(<App model={t.model} />);
    t.model.start();
    await vi.advanceTimersByTimeAsync(10);
    fill({ 'App ID': 'app_9', 'Channel ID': 'c9', 'User ID': 'u9', 'Display name': 'Nine' });
    fireEvent.click(screen.getByRole('button', { name: 'Save as' }));
    fireEvent.input(screen.getByRole('textbox', { name: 'Preset name' }), { target: { value: 'Evening' } });
    fireEvent.click(screen.getByRole('button', { name: 'OK' }));
    await vi.advanceTimersByTimeAsync(0);

    const select = screen.getByRole('combobox', { name: 'Preset' }) as HTMLSelectElement;
    expect(select.selectedOptions[0]?.textContent).toBe('Evening');
    const put = t.api.callsOf('putSettings').at(-1)?.body as {
      presets: Array<{ name: string; channel: unknown }>;
      selectedPresetId: string;
    };
    expect(put.presets).toEqual([
      {
        id: put.selectedPresetId,
        name: 'Evening',
        channel: { appId: 'app_9', channelId: 'c9', userId: 'u9', displayName: 'Nine' },
      },
    ]);
    expect(JSON.parse(storage.get('settings')!)).toEqual(put);

    // rename, then delete
    fireEvent.click(screen.getByRole('button', { name: 'Rename' }));
    fireEvent.input(screen.getByRole('textbox', { name: 'Preset name' }), { target: { value: 'Late' } });
    fireEvent.click(screen.getByRole('button', { name: 'OK' }));
    await vi.advanceTimersByTimeAsync(0);
    expect((t.api.callsOf('putSettings').at(-1)?.body as { presets: Array<{ name: string }> }).presets[0]?.name).toBe(
      'Late',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await vi.advanceTimersByTimeAsync(0);
    expect((t.api.callsOf('putSettings').at(-1)?.body as { presets: unknown[] }).presets).toEqual([]);
  });

  it('refuses to save an invalid channel as a preset', async () => {
    const t = setupModel();
    render(<App model={t.model} />);
    t.model.start();
    await vi.advanceTimersByTimeAsync(10);
    fireEvent.click(screen.getByRole('button', { name: 'Save as' }));
    fireEvent.input(screen.getByRole('textbox', { name: 'Preset name' }), { target: { value: 'X' } });
    fireEvent.click(screen.getByRole('button', { name: 'OK' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByRole('alert').textContent).toBe('Fix the channel fields first.');
    expect(t.api.callsOf('putSettings')).toHaveLength(0);
  });

  it('shows cached presets before the helper answers, and pushes changes made meanwhile once it does', async () => {
    const storage = memoryStorage({ settings: JSON.stringify({ presets: PRESETS, selectedPresetId: 'p2' }) });
    let up = false;
    const t = setupModel({
      storage,
      api: {
        health: () => {
          if (!up) throw Object.assign(new Error('down'), { code: 'HelperUnreachable', retryable: true });
          return { ok: true, version: '0', mode: 'cloud', endpoint: 'x', credentialSource: 'env', startedAt: 'now' };
        },
      },
    });
    render(<App model={t.model} />);
    t.model.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(screen.getByText('Waiting for the artc-ingest helper...')).toBeTruthy();
    const select = screen.getByRole('combobox', { name: 'Preset' }) as HTMLSelectElement;
    expect(select.value).toBe('p2');
    fireEvent.change(select, { target: { value: 'p1' } });
    expect(t.api.callsOf('putSettings')).toHaveLength(0);

    up = true;
    await vi.advanceTimersByTimeAsync(15_000);
    expect(screen.queryByText('Waiting for the artc-ingest helper...')).toBeNull();
    expect((t.api.callsOf('putSettings').at(-1)?.body as { selectedPresetId: string }).selectedPresetId).toBe('p1');
  });
});
