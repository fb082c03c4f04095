/**
 * prom-client is loaded only when something will read the metrics: the /metrics listener (--metrics-listen).
 * Importing it (and its default process metrics) is a large part of the helper's start and memory, and without a
 * listener the counters would go nowhere, so a no-op stands in. Counting stays wired the same either way.
 */
import type { createMetrics as CreateMetrics, Metrics } from './registry.js';

export const NO_METRICS: Metrics = {
  contentType: 'text/plain; version=0.0.4; charset=utf-8',
  countApi: () => undefined,
  render: () => Promise.resolve(''),
};

/** The prom-client metrics when `wanted` (a listener is configured), else NO_METRICS. */
export async function metricsIf(wanted: boolean, o: Parameters<typeof CreateMetrics>[0]): Promise<Metrics> {
  if (!wanted) return NO_METRICS;
  const { createMetrics } = await import('./registry.js');
  return createMetrics(o);
}
