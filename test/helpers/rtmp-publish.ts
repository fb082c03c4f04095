/**
 * Real RTMP publishes with node-media-server's own pure-JS RTMP client (as OBS would: Server + Stream Key), the
 * refused-publish check, a deadline, and an in-order log of sandbox events. For sandbox-ingest.test.ts.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type SandboxEvent } from '../../script/sandbox/index.js';
import { loadNms } from '../../script/sandbox/ingest.js';
import { splitRtmpAddress } from '../../shared/rtmp-address.js';

export interface RtmpClient {
  connect(url: string): Promise<void>;
  sendConnect(): Promise<unknown>;
  sendCreateStream(): Promise<number>;
  sendPublish(streamName: string): Promise<unknown>;
  disconnect(): void;
  onCloseCallback: (hadError: boolean) => void;
  onErrorCallback: (error: Error) => void;
  onStatusCallback: (code: string, info: { level?: string; code?: string; description?: string }) => void;
}
export interface Status {
  code: string;
  level: string | undefined;
  description: string | undefined;
}
export const PUBLISH_START = 'NetStream.Publish.Start';

/** Publishes to an ingest URL as OBS would (Server = rtmp://host/app, Stream Key = stream?auth_key=...). */
export async function publish(rtmpAddress: string) {
  const { srcDir } = await loadNms();
  const Client = createRequire(import.meta.url)(join(srcDir, 'protocol', 'rtmp_client.js')) as new () => RtmpClient;
  const client = new Client();
  let closed = false;
  const whenClosed = new Promise<void>((resolve) => {
    client.onCloseCallback = () => {
      closed = true;
      resolve();
    };
  });
  client.onErrorCallback = () => {};
  const statuses: Status[] = [];
  client.onStatusCallback = (code, info) => statuses.push({ code, level: info.level, description: info.description });
  const { server, streamKey } = splitRtmpAddress(rtmpAddress);
  await client.connect(`${server}/${streamKey.split('?')[0]}`);
  await client.sendConnect();
  await client.sendCreateStream();
  // accepted: resolves on NetStream.Publish.Start; refused: the onStatus error (BadName rejects it at once,
  // Denied is not one the client matches) and then the connection's end reject it
  await client.sendPublish(streamKey).catch(() => {});
  return {
    whenClosed: () => deadline(whenClosed, 'the RTMP connection to close'),
    isClosed: () => closed,
    /** every onStatus the ingest sent this client so far */
    statuses: () => [...statuses],
    stop: () => client.disconnect(),
  };
}

export type Publisher = Awaited<ReturnType<typeof publish>>;

/** A refused publish: closed by the ingest, with an onStatus error and never NetStream.Publish.Start. */
export async function expectRefusedBeforeAnswer(
  pub: Publisher,
  code: 'NetStream.Publish.Denied' | 'NetStream.Publish.BadName',
) {
  await pub.whenClosed(); // every status the ingest sent arrived before the close
  const statuses = pub.statuses();
  expect(statuses.map((s) => s.code)).not.toContain(PUBLISH_START);
  expect(statuses).toEqual([expect.objectContaining({ code, level: 'error' })]);
  expect(statuses[0]!.description).not.toMatch(/auth_key=|[0-9a-f]{32}/); // names no secret
}

export function deadline<T>(p: Promise<T>, what: string, ms = 5_000): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)),
    ),
  ]).finally(() => clearTimeout(timer));
}

/** Sandbox events, consumed in order: `next(type)` takes the first unconsumed event of that type. */
export function eventLog() {
  const seen: SandboxEvent[] = [];
  let cursor = 0;
  const waiters = new Set<() => boolean>();
  const take = (type: SandboxEvent['type']) => {
    const i = seen.findIndex((e, k) => k >= cursor && e.type === type);
    if (i < 0) return undefined;
    cursor = i + 1;
    return seen[i];
  };
  return {
    push: (e: SandboxEvent) => {
      seen.push(e);
      for (const w of [...waiters]) if (w()) waiters.delete(w);
    },
    next<T extends SandboxEvent['type']>(type: T): Promise<Extract<SandboxEvent, { type: T }>> {
      let attempt: () => boolean = () => true;
      const found = new Promise<Extract<SandboxEvent, { type: T }>>((resolve) => {
        attempt = () => {
          const hit = take(type);
          if (hit) resolve(hit as Extract<SandboxEvent, { type: T }>);
          return hit !== undefined;
        };
        if (!attempt()) waiters.add(attempt);
      });
      return deadline(found, `a ${type} event`).finally(() => waiters.delete(attempt));
    },
  };
}
