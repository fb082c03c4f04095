/**
 * A local RTMP server (node-media-server 4.4) for tests: 127.0.0.1 on a free port, RTMP only (no HTTP, no
 * RTMPS, no recording), its data store in a temp folder, its logs down to errors. Records publishes.
 * node-media-server keeps its config in a module singleton: one sink per test process at a time.
 * Its `donePublish` comes 30 s after the publisher leaves (4.4's fixed "publish grace" for resuming): to see a
 * publisher go, watch `openConnections()` instead.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

const require = createRequire(import.meta.url);

interface NmsSession {
  streamPath: string;
  streamQuery: Record<string, unknown>;
  ip: string;
}
interface Nms {
  on(event: 'prePublish' | 'postPublish' | 'donePublish', listener: (session: NmsSession) => void): void;
  run(): Promise<void>;
  stop(): Promise<void>;
  rtmpServer: {
    tcpServer: import('node:net').Server;
    handleListenError: (name: string, port: number) => (err: Error) => void;
  };
}
interface NmsLogger {
  log(message: string, level?: string): void;
}

export interface PublishEvent {
  kind: 'prePublish' | 'postPublish' | 'donePublish';
  streamPath: string;
  query: Record<string, unknown>;
  at: number;
}

export interface RtmpSink {
  port: number;
  /** rtmp://127.0.0.1:PORT/live: use as the OBS Server; the Stream Key is the stream name (+ ?query) */
  server: string;
  events: PublishEvent[];
  /** RTMP TCP connections open right now */
  openConnections(): number;
  stop(): Promise<void>;
}

export async function startRtmpSink(): Promise<RtmpSink> {
  const NodeMediaServer = require('node-media-server') as new (config: object) => Nms;
  const logger = require('node-media-server/src/core/logger.js') as NmsLogger;
  const originalLog = logger.log;
  // the constructor forces level "debug"; keep only errors
  logger.log = function quiet(this: NmsLogger, message: string, level = 'info') {
    if (level === 'error') originalLog.call(this, message, level);
  };
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'rtmp-sink-'));
  const nms = new NodeMediaServer({
    bind: '127.0.0.1',
    rtmp: { port },
    store: { path: dataDir },
    webadmin: { enable: false },
    auth: { play: false, publish: false },
  });
  const events: PublishEvent[] = [];
  for (const kind of ['prePublish', 'postPublish', 'donePublish'] as const) {
    nms.on(kind, (s) => events.push({ kind, streamPath: s.streamPath, query: { ...s.streamQuery }, at: Date.now() }));
  }
  // its default handler calls process.exit(1) on EADDRINUSE, which would take the test worker down
  let listenError: ((err: Error) => void) | undefined;
  nms.rtmpServer.handleListenError = () => (err) => listenError?.(err);
  let open = 0;
  nms.rtmpServer.tcpServer.on('connection', (socket) => {
    open += 1;
    socket.once('close', () => (open -= 1));
  });
  await new Promise<void>((resolve, reject) => {
    listenError = reject;
    nms.rtmpServer.tcpServer.once('listening', () => resolve());
    void nms.run();
  });
  return {
    port,
    server: `rtmp://127.0.0.1:${port}/live`,
    events,
    openConnections: () => open,
    async stop() {
      await nms.stop();
      logger.log = originalLog;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
