// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/preact';
import { App } from '../../dock/src/components/App/index.js';
import { validateField, validateForm } from '../../dock/src/model/channel-form.js';
import { setupModel, useFakeDockTimers } from '../helpers/dock-fakes.js';

useFakeDockTimers();

async function mount() {
  const t = setupModel();
  render(<App model={t.model} />);
  t.model.start();
  await vi.advanceTimersByTimeAsync(10);
  return t;
}

describe('dock: accessible names (contract)', () => {
  it('has the seven textboxes, Go live, Stop and a status live region, with the exact English names', async () => {
    await mount();
    for (const name of ['App ID', 'Channel ID', 'User ID', 'Display name', 'Expire time', 'OBS WebSocket URL']) {
      expect(screen.getByRole('textbox', { name })).toBeTruthy();
    }
    // a password input has no implicit ARIA role in aria-query (Playwright calls it a textbox): find it by its label
    const pw = screen.getByLabelText('OBS WebSocket password') as HTMLInputElement;
    expect(pw.tagName).toBe('INPUT');
    expect(pw.type).toBe('password');
    expect(screen.getByRole('button', { name: 'Go live' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();
    const status = screen.getByRole('status');
    expect(status.getAttribute('aria-live')).toBe('polite');
  });

  it('labels are <label for> elements and Expire time is a textbox, not a spinbutton', async () => {
    await mount();
    const input = screen.getByRole('textbox', { name: 'Expire time' });
    const label = document.querySelector(`label[for="${input.id}"]`);
    expect(label?.textContent).toBe('Expire time');
    expect(input.getAttribute('inputmode')).toBe('numeric');
  });
});

describe('dock: channel form validates as you type', () => {
  it('shows the schema message naming the field, with aria-invalid and aria-describedby', async () => {
    await mount();
    const appId = screen.getByRole('textbox', { name: 'App ID' });
    expect(appId.getAttribute('aria-invalid')).toBe('false');
    fireEvent.input(appId, { target: { value: 'bad id!' } });
    expect(appId.getAttribute('aria-invalid')).toBe('true');
    const describedBy = appId.getAttribute('aria-describedby')!;
    const msg = document.getElementById(describedBy.split(' ')[0]!);
    expect(msg?.textContent).toBe('AppId may contain only letters, digits, "_" and "-"');

    fireEvent.input(appId, { target: { value: 'good_id' } });
    expect(appId.getAttribute('aria-invalid')).toBe('false');
    expect(document.getElementById(describedBy.split(' ')[0]!)).toBeNull();
  });

  it('checks lengths in code points and Expire time as whole positive seconds', async () => {
    await mount();
    const name = screen.getByRole('textbox', { name: 'Display name' });
    fireEvent.input(name, { target: { value: '直'.repeat(41) } });
    expect(screen.getByText('DisplayName must be at most 40 characters')).toBeTruthy();
    fireEvent.input(name, { target: { value: '直'.repeat(40) } });
    expect(screen.queryByText('DisplayName must be at most 40 characters')).toBeNull();

    const expire = screen.getByRole('textbox', { name: 'Expire time' });
    fireEvent.input(expire, { target: { value: '1.5' } });
    expect(screen.getByText('ExpireTime must be a whole number of seconds')).toBeTruthy();
    fireEvent.input(expire, { target: { value: 'abc' } });
    expect(screen.getByText('ExpireTime must be a number of seconds')).toBeTruthy();
    fireEvent.input(expire, { target: { value: '' } });
    expect(expire.getAttribute('aria-invalid')).toBe('false');
    // the hint stays described when there is no error
    expect(expire.getAttribute('aria-describedby')).toBe('field-expireTime-hint');
  });

  it('Go live with empty fields marks every field and says why', async () => {
    const t = await mount();
    fireEvent.click(screen.getByRole('button', { name: 'Go live' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByText('AppId is required')).toBeTruthy();
    expect(screen.getByText('UserId is required')).toBeTruthy();
    expect(screen.getByText('Fix the channel fields first.')).toBeTruthy();
    expect(t.sup.calls.some((c) => c.kind === 'goLive')).toBe(false);
  });
});

describe('channel-form (pure)', () => {
  it('maps strings to ChannelSettings, expireTime optional', () => {
    const values = { appId: 'a', channelId: 'c', userId: 'u', displayName: 'd', expireTime: ' ' };
    expect(validateForm(values)).toEqual({
      channel: { appId: 'a', channelId: 'c', userId: 'u', displayName: 'd' },
      errors: {},
    });
    expect(validateForm({ ...values, expireTime: '600' }).channel?.expireTime).toBe(600);
    expect(validateField('userId', 'x'.repeat(65))).toBe('UserId must be at most 64 characters');
    expect(validateField('expireTime', String(31 * 86400))).toMatch(/at most 2592000 seconds/);
  });
});
