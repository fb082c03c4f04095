// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/preact';
import { App } from '../../dock/src/components/App/index.js';
import { ApiCallError } from '../../dock/src/api/errors.js';
import { HEALTH, helperDown, setupModel, useFakeDockTimers } from '../helpers/dock-fakes.js';

useFakeDockTimers();

describe('dock: the helper starts after OBS', () => {
  it('shows "Waiting for the artc-ingest helper..." (never a blank panel), retries with backoff, then loads', async () => {
    let up = false;
    const t = setupModel({ api: { health: () => (up ? HEALTH : helperDown()) } });
    render(<App model={t.model} />);
    t.model.start();
    await vi.advanceTimersByTimeAsync(0);

    expect(screen.getByText('Waiting for the artc-ingest helper...')).toBeTruthy();
    // the rest of the dock is there too
    expect(screen.getByRole('status')).toBeTruthy();
    expect(screen.getByRole('textbox', { name: 'App ID' })).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Go live' }) as HTMLButtonElement).disabled).toBe(true);

    // full jitter with random 0.5: attempt 1 -> 750 ms, 2 -> 1250, 3 -> 2250, 4 -> 4250, then 5250 (cap 10 s)
    const healthCalls = () => t.api.callsOf('health').length;
    expect(healthCalls()).toBe(1);
    await vi.advanceTimersByTimeAsync(749);
    expect(healthCalls()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(healthCalls()).toBe(2);
    await vi.advanceTimersByTimeAsync(1250);
    expect(healthCalls()).toBe(3);
    expect(screen.getByText(/Next try in 3 s \(attempt 3\)/)).toBeTruthy();
    await vi.advanceTimersByTimeAsync(2250 + 4250);
    expect(healthCalls()).toBe(5);
    await vi.advanceTimersByTimeAsync(60_000);
    const before = healthCalls();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(healthCalls() - before).toBeLessThanOrEqual(2); // capped, not a hot loop
    expect(t.api.callsOf('getSettings')).toHaveLength(0);
    expect(t.sockets.sockets).toHaveLength(0); // no OBS settings yet: wait for the hints

    up = true;
    fireEvent.click(screen.getByRole('button', { name: 'Retry now' }));
    await vi.advanceTimersByTimeAsync(10);
    expect(screen.queryByText('Waiting for the artc-ingest helper...')).toBeNull();
    expect(t.api.callsOf('getSettings')).toHaveLength(1);
    expect(t.api.callsOf('obsHints')).toHaveLength(1);
    expect(t.api.callsOf('getIntent')).toHaveLength(1);
    expect(screen.getByText('Connected')).toBeTruthy();
    expect(screen.getByText('Sandbox')).toBeTruthy();
  });

  it('notices a helper that goes away later, and reloads when it is back', async () => {
    let up = true;
    const t = setupModel({ api: { health: () => (up ? HEALTH : helperDown()) } });
    render(<App model={t.model} />);
    t.model.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(screen.queryByText('Waiting for the artc-ingest helper...')).toBeNull();
    up = false;
    await vi.advanceTimersByTimeAsync(15_000);
    expect(screen.getByText('Waiting for the artc-ingest helper...')).toBeTruthy();
    up = true;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(screen.queryByText('Waiting for the artc-ingest helper...')).toBeNull();
    expect(t.api.callsOf('getIntent')).toHaveLength(2);
  });

  it('a refused token stops retrying and says how to fix it', async () => {
    const t = setupModel({
      api: {
        health: () => {
          throw new ApiCallError({
            code: 'TokenInvalid',
            message: 'Wrong x-artc-token',
            retryable: false,
            status: 401,
          });
        },
      },
    });
    render(<App model={t.model} />);
    t.model.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(screen.getByText(/The helper refused this dock's token/)).toBeTruthy();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.api.callsOf('health')).toHaveLength(1);
  });
});
