/**
 * The helper's HTTP handler, called directly (no port): request bodies (limits, parsing) and the cloud calls
 * behind them, with their error mapping (nothing secret in an answer or a log line).
 */
import { describe, expect, it, vi } from 'vitest';
import { IngestUrlBody, MAX_BODY_BYTES } from '../../shared/api-routes.js';
import { ApiError } from '../../script/cloud/errors.js';
import { cloudApi } from '../../script/server/cloud-api.js';
import { CHANNEL, call, errorOf, fx, SECRET, useHandlerFixture } from '../helpers/handler-fixture.js';

useHandlerFixture();

describe('request bodies', () => {
  it('413 when Content-Length is over the cap, without reading', async () => {
    const res = await call('/api/settings', { method: 'PUT', body: 'x'.repeat(MAX_BODY_BYTES + 1) });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('BodyTooLarge');
  });

  it('413 for a streamed body over the cap, cancelling the stream early', async () => {
    let pulled = 0;
    let cancelled = false;
    const chunk = new Uint8Array(16 * 1024).fill(0x20);
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        if (pulled > 1000) c.close();
        else c.enqueue(chunk);
      },
      cancel() {
        cancelled = true;
      },
    });
    const res = await call('/api/settings', { method: 'PUT', body: stream });
    expect(res.status).toBe(413);
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(20);
  });

  it('a body exactly at the cap is read (then judged by the schema)', async () => {
    const json = JSON.stringify({ presets: [] });
    const body = json + ' '.repeat(MAX_BODY_BYTES - json.length);
    const res = await call('/api/settings', { method: 'PUT', body });
    expect(res.status).toBe(200);
  });

  it('415 unless Content-Type is application/json', async () => {
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      null,
    ]) {
      const res = await call('/api/ingest-url', { body: JSON.stringify(CHANNEL), contentType });
      expect(res.status).toBe(415);
      expect((await errorOf(res)).code).toBe('UnsupportedMediaType');
    }
    expect(
      (await call('/api/ingest-url', { body: JSON.stringify(CHANNEL), contentType: 'Application/JSON; charset=utf-8' }))
        .status,
    ).toBe(200);
    expect(fx.api.mint).toHaveBeenCalledTimes(1);
  });

  it('400 for invalid JSON, invalid UTF-8 and an empty body', async () => {
    const bad = await call('/api/ingest-url', { body: '{"appId": ' });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe('InvalidJson');
    const latin = await call('/api/ingest-url', { body: new Uint8Array([0x7b, 0xff, 0x7d]) });
    expect((await errorOf(latin)).code).toBe('InvalidJson');
    const empty = await call('/api/ingest-url', { body: '' });
    expect((await errorOf(empty)).code).toBe('BodyRequired');
    expect(fx.api.mint).not.toHaveBeenCalled();
  });

  it('400 naming the bad field, from the shared zod schemas', async () => {
    const res = await call('/api/ingest-url', { json: { ...CHANNEL, appId: 'bad id!' } });
    expect(res.status).toBe(400);
    const body = await errorOf(res);
    expect(body).toMatchObject({ code: 'InputInvalid', field: 'appId', retryable: false });
    expect(body.message).toContain('AppId may contain only');

    const missing = await errorOf(await call('/api/participants', { json: { appId: 'a' } }));
    expect(missing.field).toBe('channelId');

    const nested = await errorOf(
      await call('/api/settings', {
        method: 'PUT',
        json: { presets: [{ id: 'p', name: 'P', channel: { ...CHANNEL, channelId: '' } }] },
      }),
    );
    expect(nested.field).toBe('presets.0.channel.channelId');

    const lease = await errorOf(await call('/api/lease', { json: { holder: 'h', obsUrl: 'ws://x', ttlMs: 10 } }));
    expect(lease.field).toBe('ttlMs');
    expect(fx.api.mint).not.toHaveBeenCalled();
  });
});

describe('cloud calls and error mapping', () => {
  it('mints a URL and lists participants through the api dep', async () => {
    const res = await call('/api/ingest-url', { json: { ...CHANNEL, expireTime: 600 } });
    expect(res.status).toBe(200);
    expect(IngestUrlBody.parse(await res.json()).server).toBe('rtmp://push.example/app1');
    expect(fx.api.mint).toHaveBeenCalledWith({ ...CHANNEL, expireTime: 600 });
    const p = await call('/api/participants', { json: { appId: 'app1', channelId: 'room1' } });
    expect(await p.json()).toEqual({ requestId: 'req-2', users: ['a', 'b'], total: 2 });
  });

  it('throttling -> 429, retryable, Retry-After, Code and RequestId kept', async () => {
    fx.api.mint.mockRejectedValueOnce(
      new ApiError({
        kind: 'throttling',
        code: 'Throttling.User',
        message: 'Request was denied due to user flow control.',
        requestId: 'RID-1',
        status: 400,
        retryAfterMs: 1500,
      }),
    );
    const res = await call('/api/ingest-url', { json: CHANNEL });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await errorOf(res)).toEqual({
      code: 'Throttling.User',
      message: 'Request was denied due to user flow control.',
      requestId: 'RID-1',
      retryable: true,
    });
  });

  it('server, network and auth failures -> 502 with the cloud Code and RequestId', async () => {
    fx.api.mint.mockRejectedValueOnce(
      new ApiError({
        kind: 'server',
        code: 'ServiceUnavailable',
        message: 'try later',
        requestId: 'RID-2',
        status: 503,
      }),
    );
    const s = await call('/api/ingest-url', { json: CHANNEL });
    expect(s.status).toBe(502);
    expect(await errorOf(s)).toMatchObject({ code: 'ServiceUnavailable', requestId: 'RID-2', retryable: true });

    fx.api.participants.mockRejectedValueOnce(
      new ApiError({
        kind: 'auth',
        code: 'InvalidAccessKeyId.NotFound',
        message: 'Specified access key is not found.',
        requestId: 'RID-3',
        status: 404,
      }),
    );
    const a = await call('/api/participants', { json: { appId: 'a', channelId: 'c' } });
    expect(a.status).toBe(502);
    expect(await errorOf(a)).toMatchObject({
      code: 'InvalidAccessKeyId.NotFound',
      requestId: 'RID-3',
      retryable: false,
    });

    fx.api.mint.mockRejectedValueOnce(ApiError.network('CreateRoomRealTimeStreamAddress', new Error('ECONNREFUSED')));
    const n = await call('/api/ingest-url', { json: CHANNEL });
    expect(n.status).toBe(502);
    expect(await errorOf(n)).toMatchObject({ code: 'NetworkError', retryable: true });
  });

  it('cloud input errors -> 400 with the field when the Code names it', async () => {
    fx.api.mint.mockRejectedValueOnce(
      new ApiError({
        kind: 'input',
        code: 'InvalidChannelId.Malformed',
        message: 'The specified ChannelId is invalid.',
        requestId: 'RID-4',
        status: 400,
      }),
    );
    const res = await call('/api/ingest-url', { json: CHANNEL });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toEqual({
      code: 'InvalidChannelId.Malformed',
      message: 'The specified ChannelId is invalid.',
      requestId: 'RID-4',
      retryable: false,
      field: 'channelId',
    });
  });

  it('never returns a secret, even when an error message quotes it', async () => {
    fx.api.mint.mockRejectedValueOnce(
      new ApiError({
        kind: 'signature',
        code: 'SignatureDoesNotMatch',
        message: `string to sign used key ${SECRET}`,
        requestId: 'RID-5',
        status: 400,
      }),
    );
    const res = await call('/api/ingest-url', { json: CHANNEL });
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(text).not.toContain(SECRET);
    expect(text).toContain('[redacted]');
  });

  it('unexpected errors -> 500 with a generic message; the log line is redacted too', async () => {
    fx.api.mint.mockRejectedValueOnce(new TypeError(`cannot read ${SECRET}`));
    const res = await call('/api/ingest-url', { json: CHANNEL });
    expect(res.status).toBe(500);
    const body = await errorOf(res);
    expect(body.code).toBe('InternalError');
    expect(JSON.stringify(body)).not.toContain(SECRET);
    expect(fx.logs.join('\n')).toContain('cannot read [redacted]');
    expect(fx.logs.join('\n')).not.toContain(SECRET);
  });

  it('cloudApi maps camelCase settings to the PascalCase parameters and ms to ISO', async () => {
    const client = {
      createRoomRealTimeStreamAddress: vi.fn(async () => ({
        requestId: 'r',
        rtmpAddress: 'rtmp://h/a/s?auth_key=k',
        server: 'rtmp://h/a',
        streamKey: 's?auth_key=k',
        expiresAt: Date.UTC(2025, 0, 1),
        requestedAt: 0,
      })),
      describeChannelParticipants: vi.fn(async () => ({
        requestId: 'r1',
        requestIds: ['r1', 'r2'],
        users: ['u'],
        total: 1,
      })),
    };
    const api = cloudApi(client);
    expect(await api.mint({ ...CHANNEL, expireTime: 60 })).toEqual({
      requestId: 'r',
      rtmpAddress: 'rtmp://h/a/s?auth_key=k',
      server: 'rtmp://h/a',
      streamKey: 's?auth_key=k',
      expiresAt: '2025-01-01T00:00:00.000Z',
    });
    expect(client.createRoomRealTimeStreamAddress).toHaveBeenCalledWith({
      AppId: 'app1',
      ChannelId: 'room1',
      UserId: 'obs-1',
      DisplayName: 'Studio A',
      ExpireTime: 60,
    });
    await api.mint(CHANNEL);
    expect(client.createRoomRealTimeStreamAddress).toHaveBeenLastCalledWith({
      AppId: 'app1',
      ChannelId: 'room1',
      UserId: 'obs-1',
      DisplayName: 'Studio A',
    });
    expect(await api.participants({ appId: 'app1', channelId: 'room1' })).toEqual({
      requestId: 'r1',
      users: ['u'],
      total: 1,
    });
    expect(client.describeChannelParticipants).toHaveBeenCalledWith({ AppId: 'app1', ChannelId: 'room1' });
  });
});
