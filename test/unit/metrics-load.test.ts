/**
 * prom-client only when a listener will read it (script/metrics/load.ts): without --metrics-listen the helper and
 * `run` count into a no-op, with it into the real registry. The start-up cost this saves is measured by the bench
 * (helper cold start and memory), not here.
 */
import { describe, expect, it } from 'vitest';
import { metricsIf, NO_METRICS } from '../../script/metrics/load.js';

const source = { snapshot: () => null, channel: () => ({ appId: 'a', channelId: 'c', userId: 'u' }) };

describe('metricsIf', () => {
  it('is the no-op when nothing reads the metrics: counting works, nothing is kept', async () => {
    const m = await metricsIf(false, { version: '0.0.0', source });
    expect(m).toBe(NO_METRICS);
    expect(() => m.countApi('CreateRoomRealTimeStreamAddress', 'ok')).not.toThrow();
    await expect(m.render()).resolves.toBe('');
  });

  it('is the prom-client registry when a listener is configured', async () => {
    const m = await metricsIf(true, { version: '0.0.0', source, defaultMetrics: false });
    m.countApi('CreateRoomRealTimeStreamAddress', 'ok');
    const text = await m.render();
    expect(text).toContain('artc_ingest_info{version="0.0.0",app_id="a",channel_id="c",user_id="u"} 1');
    expect(text).toContain('artc_ingest_api_requests_total{action="CreateRoomRealTimeStreamAddress",outcome="ok"} 1');
    expect(m.contentType).toBe(NO_METRICS.contentType);
  });
});
