// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { App } from '../../dock/src/components/App/index.js';
import { en } from '../../dock/src/i18n/en.js';
import { zhCN } from '../../dock/src/i18n/zh-CN.js';
import { detectLang, isLoaded, loadLang, translate, translateValidation } from '../../dock/src/i18n/index.js';
import { memoryStorage } from '../../dock/src/lib/storage.js';
import { setupModel, useFakeDockTimers } from '../helpers/dock-fakes.js';

useFakeDockTimers();

describe('dock i18n', () => {
  it('follows the browser language', () => {
    expect(detectLang(['zh-CN', 'en'])).toBe('zh-CN');
    expect(detectLang(['zh-Hans-CN'])).toBe('zh-CN');
    expect(detectLang(['zh'])).toBe('zh-CN');
    expect(detectLang(['en-GB', 'zh-CN'])).toBe('en');
    expect(detectLang(['fr-FR'])).toBe('en');
    expect(detectLang(undefined)).toBe('en');
  });

  it('has every key in both tables, and fills {placeholders}', async () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
    await loadLang('zh-CN');
    expect(isLoaded('zh-CN')).toBe(true);
    expect(translate('en', 'status.recovery', { s: 4, n: 2 })).toBe('Next try in 4 s (attempt 2)');
    expect(translate('zh-CN', 'status.recovery', { s: 4, n: 2 })).toBe('4 秒后重试（第 2 次）');
  });

  it('translates the shared schema messages for zh-CN, naming the field by its label', async () => {
    await loadLang('zh-CN');
    expect(translateValidation('zh-CN', 'AppId must be at most 64 characters', '应用 ID')).toBe(
      '应用 ID 最多 64 个字符',
    );
    expect(translateValidation('en', 'AppId must be at most 64 characters', 'App ID')).toBe(
      'AppId must be at most 64 characters',
    );
    expect(translateValidation('zh-CN', 'something new', 'X')).toBe('something new');
  });

  it('starts in Chinese for a zh browser, switches to English and back, and remembers the choice', async () => {
    const storage = memoryStorage();
    const t = setupModel({ languages: ['zh-CN'], storage });
    render(<App model={t.model} />);
    t.model.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(screen.getByRole('button', { name: '开始直播' })).toBeTruthy();
    expect(screen.getByLabelText('应用 ID')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'EN' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByRole('button', { name: 'Go live' })).toBeTruthy();
    expect(screen.getByRole('textbox', { name: 'App ID' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'EN' }).getAttribute('aria-pressed')).toBe('true');
    expect(storage.get('lang')).toBe('en');
    await vi.advanceTimersByTimeAsync(0);
    expect((t.api.callsOf('putSettings').at(-1)?.body as { language?: string }).language).toBe('en');

    fireEvent.click(screen.getByRole('button', { name: '中文' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByRole('button', { name: '停止' })).toBeTruthy();
    cleanup();

    // a zh-CN pick survives a reload in an English browser
    const again = setupModel({ languages: ['en-US'], storage });
    render(<App model={again.model} />);
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByRole('button', { name: '开始直播' })).toBeTruthy();
  });
});
