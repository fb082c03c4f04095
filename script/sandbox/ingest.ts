/**
 * The sandbox's RTMP ingest, on node-media-server 4.4 (CommonJS, loaded lazily so the CLI starts fast
 * without it; in the Vite bundle it stays an external dependency).
 *
 * How it is wired, and why (read from node_modules/node-media-server/src):
 * - We own the TCP listener (127.0.0.1, our error handling) and hand each socket to NMS's
 *   `rtmpServer.handleRequest`: NMS's own listeners call process.exit(1) when their port is taken.
 *   NMS gets no rtmp/http/https port, so it opens no listener of its own; its store is a temp folder.
 * - The gate runs inside NMS's handling of the RTMP `publish` command, before NMS answers it
 *   (publish-hook.ts: a per-session hook on 4.4.x internals, checked at start). An accepted publish then
 *   proceeds in NMS as usual; a refused one gets an `onStatus` error (never NetStream.Publish.Start) and
 *   its connection ends, as the real cloud refuses (OBS: STOPPED, or one more failed reconnect retry).
 *   NMS's `prePublish` event would be too late: NMS emits it after answering NetStream.Publish.Start.
 * - Presence ends on the socket's `close`, not on NMS's `donePublish`, which 4.4 delays by a 30 s
 *   "publish grace" window. Kicking a publisher = destroying its socket.
 * - Its store (a temp folder) is told not to hook SIGINT/SIGTERM: it would re-raise them and kill the host.
 * - NMS state (config, sessions, event emitter, logger) is one per process: only the sessions on our own
 *   sockets are hooked (nothing is patched globally), and the logger's output is routed to the ingests'
 *   `log` (warnings and errors only), never stdout.
 */
import type { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PublishGate } from './emulator.js';
import { listenLocal, LOOPBACK } from './listen.js';
import {
  assertPublishHookable,
  findSession,
  gatePublish,
  type PublishDecision,
  type PublishRequest,
} from './publish-hook.js';
interface NmsInstance {
  run(): Promise<void>;
  stop(): Promise<void>;
  rtmpServer: { handleRequest(socket: Socket): void };
  store: { options: { signals?: boolean } };
}
interface NmsLogger {
  log(message: string, level?: string): void;
}
export interface NmsModules {
  NodeMediaServer: new (config: object) => NmsInstance;
  logger: NmsLogger;
  context: { eventEmitter: EventEmitter; sessions: Map<unknown, unknown> };
  /** absolute path of node-media-server/src, for tests that need its pure-JS RTMP client */
  srcDir: string;
}

let loading: Promise<NmsModules> | undefined;

export function loadNms(): Promise<NmsModules> {
  loading ??= (async () => {
    const mod = (await import('node-media-server')) as { default?: unknown };
    const require = createRequire(import.meta.url);
    // resolved from the same place as the import above, so these are the instances NMS itself uses
    const srcDir = dirname(require.resolve('node-media-server'));
    return {
      NodeMediaServer: (mod.default ?? mod) as NmsModules['NodeMediaServer'],
      logger: require(join(srcDir, 'core', 'logger.js')) as NmsLogger,
      context: require(join(srcDir, 'core', 'context.js')) as NmsModules['context'],
      srcDir,
    };
  })();
  loading.catch(() => (loading = undefined));
  return loading;
}

type Sink = (level: string, message: string) => void;
const SINKS = Symbol.for('artc-ingest.nms-log-sinks');

/** Replaces NMS's logger output (console.log at level "debug", forced by its constructor) once per process. */
function logSinks(logger: NmsLogger): Set<Sink> {
  const holder = logger as NmsLogger & { [SINKS]?: Set<Sink> };
  if (!holder[SINKS]) {
    const sinks = new Set<Sink>();
    holder[SINKS] = sinks;
    logger.log = (message: string, level = 'info') => {
      for (const sink of sinks) sink(level, String(message));
    };
  }
  return holder[SINKS];
}

const mask = (name: string) => (name.length > 8 ? `${name.slice(0, 6)}…` : name);
const redact = (line: string) => line.replace(/(auth_key=)[^&\s]+/g, '$1••••');

export interface IngestOptions {
  /** default 1935; 0 = any free port */
  port?: number;
  /** when the port is taken, take a free one (default: only when `port` was not given) */
  fallback?: boolean;
  gate: PublishGate;
  log?: (line: string) => void;
}

export interface Ingest {
  readonly port: number;
  /** RTMP sessions connected right now (publishing or not) */
  connections(): number;
  stop(): Promise<void>;
}

function withDeadline(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    p.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });
}

/** Asked by the hooked session before NMS answers `publish`; must not throw (it runs in NMS's data handler). */
function publishDecider(opts: IngestOptions): (socket: Socket, req: PublishRequest) => PublishDecision {
  return (socket, req) => {
    const where = `/${req.app}/${mask(req.stream)}`;
    let verdict: ReturnType<PublishGate['admit']>;
    try {
      verdict = opts.gate.admit({
        sessionId: req.sessionId,
        app: req.app,
        stream: req.stream,
        authKey: req.query.auth_key,
        close: () => socket.destroy(),
      });
    } catch (e) {
      opts.log?.(`publish refused (the gate failed: ${e instanceof Error ? e.message : String(e)}): ${where}`);
      return { ok: false, code: 'NetStream.Publish.Denied', description: 'internal error' };
    }
    if (!verdict.ok) {
      opts.log?.(`publish refused (${verdict.reason}): ${where}`);
      // details name no secret: "never issued", "signature does not match", the expiry instant, "already live"
      return {
        ok: false,
        code: verdict.reason === 'duplicate' ? 'NetStream.Publish.BadName' : 'NetStream.Publish.Denied',
        description: verdict.detail,
      };
    }
    opts.log?.(`publish accepted: ${where} (user ${verdict.stream.userId})`);
    socket.once('close', () => opts.gate.end(req.sessionId));
    return { ok: true };
  };
}

export async function startIngest(opts: IngestOptions): Promise<Ingest> {
  const nms = await loadNms();
  // fails loudly, before anything is started, if node-media-server's internals are not the 4.4.x ones hooked
  assertPublishHookable(nms.srcDir);
  const sinks = logSinks(nms.logger);
  const sink: Sink = (level, message) => {
    if (level === 'warn' || level === 'error') opts.log?.(`[rtmp] ${redact(message)}`);
  };
  sinks.add(sink);
  const dataDir = mkdtempSync(join(tmpdir(), 'artc-ingest-rtmp-'));
  // a host that exits without stop() (process.exit, an uncaught error) still leaves no folder behind
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  process.once('exit', removeDataDir);
  const sockets = new Set<Socket>();
  const server = new nms.NodeMediaServer({ bind: LOOPBACK, store: { path: dataDir }, webadmin: { enable: false } });
  // Its store would add SIGINT/SIGTERM listeners that flush, remove themselves and re-raise the signal,
  // killing the host process mid-shutdown; the store is a throwaway temp folder, so skip those hooks.
  server.store.options.signals = false;

  const decide = publishDecider(opts);

  const tcp = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    server.rtmpServer.handleRequest(socket);
    const session = findSession(nms.context.sessions, socket);
    if (!session) {
      // cannot happen with the internals checked at start; never let an ungated session publish
      opts.log?.('[rtmp] node-media-server created no hookable session for a connection: dropped');
      socket.destroy();
      return;
    }
    gatePublish(session, (req) => decide(socket, req));
  });

  let port: number;
  try {
    await server.run();
    port = await listenLocal(tcp, opts.port ?? 1935, opts.fallback ?? opts.port === undefined);
  } catch (e) {
    await withDeadline(server.stop(), 2_000);
    sinks.delete(sink);
    process.off('exit', removeDataDir);
    removeDataDir();
    throw e;
  }

  let stopping: Promise<void> | undefined;
  return {
    port,
    connections: () => sockets.size,
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await withDeadline(closed, 2_000);
        await withDeadline(server.stop(), 2_000);
        sinks.delete(sink);
        process.off('exit', removeDataDir);
        removeDataDir();
      })();
      return stopping;
    },
  };
}
