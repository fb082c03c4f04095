// @vitest-environment happy-dom
/**
 * The dock's Alerts section with the typed API client over a fake helper (the real routes are tested in
 * serve-monitoring.test.ts): it loads
 * the stored settings, saves URL/format/secret (the secret never comes back), and "Send test alert" reports
 * what the helper's test post got.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient } from '../../dock/src/api/client.js';
import { Alerts } from '../../dock/src/components/Alerts/index.js';
import { translate } from '../../dock/src/i18n/index.js';
import type { AlertSettingsBody, AlertTestBody } from '../../shared/api-routes.js';

function fakeHelper(initial: AlertSettingsBody, test: AlertTestBody) {
  let stored = { ...initial };
  let secret: string | undefined;
  const puts: unknown[] = [];
  const fetch = (async (url: string, init?: RequestInit) => {
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    const ok = (b: unknown) =>
      new Response(JSON.stringify(b), { status: 200, headers: { 'content-type': 'application/json' } });
    if (url === '/api/alerts' && init?.method === 'GET') return ok({ ...stored, hasSecret: Boolean(secret) });
    if (url === '/api/alerts' && init?.method === 'PUT') {
      puts.push(body);
      if (body.secret !== undefined) secret = body.secret || undefined;
      stored = { webhookUrl: body.webhookUrl, format: body.format };
      return ok({ ...stored, hasSecret: Boolean(secret) });
    }
    if (url === '/api/alerts/test') return ok(test);
    return new Response('{}', { status: 404 });
  }) as typeof globalThis.fetch;
  return { api: createApiClient({ token: () => 't', fetch }), puts };
}

const t = (k: Parameters<typeof translate>[1], v?: Record<string, string | number>) => translate('en', k, v);

describe('Alerts section', () => {
  afterEach(cleanup);

  it('loads, saves with the secret write-only, and sends a test alert', async () => {
    const { api, puts } = fakeHelper(
      { webhookUrl: 'http://127.0.0.1:9/hook', format: 'auto' },
      { results: [{ target: 'json http://127.0.0.1:9', ok: true, detail: 'delivered' }] },
    );
    render(<Alerts api={api} t={t} />);
    const url = (await screen.findByLabelText('Webhook URL')) as HTMLInputElement;
    await waitFor(() => expect(url.value).toBe('http://127.0.0.1:9/hook'));
    fireEvent.change(screen.getByLabelText('Format'), { target: { value: 'dingtalk' } });
    fireEvent.input(screen.getByLabelText('Signing secret (DingTalk, Feishu)'), { target: { value: 'SECabc' } });
    fireEvent.click(screen.getByText('Send test alert'));
    await screen.findByText('json http://127.0.0.1:9: delivered');
    expect(puts).toEqual([{ webhookUrl: 'http://127.0.0.1:9/hook', format: 'dingtalk', secret: 'SECabc' }]);
    const secret = screen.getByLabelText('Signing secret (DingTalk, Feishu)') as HTMLInputElement;
    expect(secret.value).toBe('');
    expect(secret.placeholder).toBe('stored; type to replace');
  });

  it('shows why a test alert failed', async () => {
    const { api } = fakeHelper(
      { webhookUrl: 'http://127.0.0.1:9/hook', format: 'json' },
      { results: [{ target: 'json http://127.0.0.1:9', ok: false, detail: 'HTTP 500' }] },
    );
    render(<Alerts api={api} t={t} />);
    await waitFor(() => expect((screen.getByLabelText('Webhook URL') as HTMLInputElement).value).not.toBe(''));
    fireEvent.click(screen.getByText('Send test alert'));
    expect((await screen.findByText(/HTTP 500/)).textContent).toBe('json http://127.0.0.1:9: HTTP 500');
  });
});
