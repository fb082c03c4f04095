/**
 * The ingest's publish gate, run inside node-media-server's own handling of the RTMP `publish` command,
 * before it answers: a refused publish never receives `NetStream.Publish.Start`. The real cloud (like
 * nginx-rtmp's `on_publish`) decides before answering, so OBS sees a failed connection (STOPPED on a first
 * connection, another RECONNECTING on a retry), never STARTED or RECONNECTED for a refused key.
 *
 * Why a hook at all: node-media-server's `Rtmp#onPublish` answers `NetStream.Publish.Start` first and only
 * then calls the session's callbacks (onConnect, onPush -> BroadcastServer.postPublish, which emits the
 * `prePublish` event): any gate on its events runs after the answer.
 *
 * PINNED TO node-media-server 4.4.x INTERNALS (read in 4.4.3: src/server/rtmp_server.js,
 * src/session/rtmp_session.js, src/protocol/rtmp.js):
 * - `rtmpServer.handleRequest(socket)` synchronously creates `new RtmpSession(socket)`, calls its `run()`
 *   and registers it in `Context.sessions`; no byte of the socket is read before it returns.
 * - The session's protocol state machine is `session.rtmp`, a `Rtmp`; `Rtmp#invokeHandler` dispatches the
 *   AMF0 `publish` command to `this.onPublish(invokeMessage)` (a prototype method).
 * - `Rtmp#onPublish` splits `invokeMessage.streamName` ("name?query") with `split("?")` and
 *   `querystring.parse`, takes the message stream id from `this.parserPacket.header.stream_id`, and answers.
 * - `Rtmp#sendStatusMessage(streamId, level, code, description)` sends an `onStatus`.
 *
 * How: for each session of ours, `onPublish` is shadowed by an own property on that session's `rtmp`
 * object; it asks the gate and either calls the prototype's `onPublish` (accepted: NMS proceeds exactly as
 * before) or answers an `onStatus` error and ends the connection (refused: NMS never answers, never
 * registers a publisher, never emits its publish events). Nothing is patched on the prototypes: other
 * NodeMediaServer instances in this process, and NMS's own RtmpClient (a `Rtmp` subclass), are untouched.
 *
 * `assertPublishHookable` checks these internals when the ingest starts and throws a clear error if they
 * are gone (another node-media-server version), instead of letting refused publishes through; a session
 * that cannot be hooked at run time is dropped (fail closed).
 *
 * Refusal codes: `NetStream.Publish.BadName` for a stream that already has a publisher (nginx-rtmp's answer,
 * "Already publishing"), `NetStream.Publish.Denied` for the rest. OBS's librtmp treats both as fatal for
 * the connection (it closes and logs the code and description). Upstream nginx-rtmp's `on_publish` refusal
 * drops the connection without an onStatus; the sandbox sends one first so clients can tell why.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { parse as parseQuery } from 'node:querystring';

/** the node-media-server versions whose internals this file was written against */
export const NMS_INTERNALS = '4.4.x';

export interface PublishRequest {
  /** the NMS session id */
  sessionId: string;
  app: string;
  stream: string;
  query: Record<string, string | string[] | undefined>;
}

export type PublishDecision =
  { ok: true } | { ok: false; code: 'NetStream.Publish.Denied' | 'NetStream.Publish.BadName'; description: string };

interface InvokeMessage {
  streamName?: unknown;
}
interface RtmpProtocol {
  streamApp?: unknown;
  parserPacket?: { header?: { stream_id?: unknown } };
  onPublish(invokeMessage: InvokeMessage): void;
  sendStatusMessage(sid: number, level: string, code: string, description: string): void;
}
export interface NmsRtmpSession {
  id: string;
  socket: Socket;
  rtmp: RtmpProtocol;
}
type RtmpClass = (new () => RtmpProtocol) & { prototype: RtmpProtocol & { invokeHandler?: unknown } };
type RtmpSessionClass = new (socket: Pick<Socket, 'remoteAddress' | 'remotePort'>) => Partial<NmsRtmpSession>;

/** after the refusal's onStatus and FIN, a peer that keeps its side open is cut off */
const REFUSED_LINGER_MS = 2_000;

/**
 * Throws unless node-media-server (at `srcDir`) has the internals the hook relies on. Call it once at start.
 * Probes a session object built on a stub socket (its constructor only reads the address; nothing runs).
 */
export function assertPublishHookable(srcDir: string): void {
  const require = createRequire(join(srcDir, 'index.js'));
  let version = 'unknown version';
  try {
    version = String((require('../package.json') as { version?: unknown }).version);
  } catch {
    // the checks below decide; the version only makes the message clearer
  }
  function fail(what: string): never {
    throw new Error(
      `sandbox RTMP ingest: node-media-server ${version} lacks ${what}. The publish gate hooks node-media-server ` +
        `${NMS_INTERNALS} internals (script/sandbox/publish-hook.ts) so that refused publishes are refused before ` +
        `NetStream.Publish.Start; without them it would let refused publishes through, so the sandbox does not start.`,
    );
  }
  const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
  let Rtmp: RtmpClass;
  let RtmpSession: RtmpSessionClass;
  try {
    Rtmp = require('./protocol/rtmp.js') as RtmpClass;
    RtmpSession = require('./session/rtmp_session.js') as RtmpSessionClass;
  } catch (e) {
    fail(`src/protocol/rtmp.js or src/session/rtmp_session.js (${message(e)})`);
  }
  const proto = Rtmp.prototype;
  if (typeof proto.onPublish !== 'function') fail('Rtmp#onPublish');
  if (typeof proto.sendStatusMessage !== 'function') fail('Rtmp#sendStatusMessage');
  if (typeof proto.invokeHandler !== 'function' || !/\bthis\.onPublish\(/.test(String(proto.invokeHandler))) {
    fail('an Rtmp#invokeHandler that dispatches "publish" to this.onPublish(...)');
  }
  let probe: Partial<NmsRtmpSession>;
  try {
    probe = new RtmpSession({ remoteAddress: '127.0.0.1', remotePort: 0 });
  } catch (e) {
    fail(`an RtmpSession constructor usable here (${message(e)})`);
  }
  if (!(probe.rtmp instanceof Rtmp)) fail("RtmpSession#rtmp (the session's Rtmp protocol object)");
  if (typeof probe.rtmp.parserPacket?.header?.stream_id !== 'number') fail('Rtmp#parserPacket.header.stream_id');
}

/** The session `handleRequest` just created for `socket` (it registers it in `Context.sessions`). */
export function findSession(sessions: Map<unknown, unknown>, socket: Socket): NmsRtmpSession | undefined {
  for (const s of sessions.values()) {
    const session = s as Partial<NmsRtmpSession> | null;
    if (session?.socket === socket && typeof session.id === 'string' && typeof session.rtmp?.onPublish === 'function') {
      return session as NmsRtmpSession;
    }
  }
  return undefined;
}

/**
 * Shadows `onPublish` on this one session's protocol object: `decide` runs before NMS answers. On a refusal
 * the client gets `onStatus` (level "error") on the publish's message stream, then the connection ends.
 * `decide` must not throw (a throw would surface inside NMS's socket data handler).
 */
export function gatePublish(session: NmsRtmpSession, decide: (req: PublishRequest) => PublishDecision): void {
  const rtmp = session.rtmp;
  const answerPublish = rtmp.onPublish; // the prototype's method, called with `rtmp` as `this`
  let refused = false;
  rtmp.onPublish = function gatedOnPublish(invokeMessage: InvokeMessage) {
    if (refused) return; // the connection is ending: a further publish on it is neither judged nor answered
    // parsed as Rtmp#onPublish parses it, so the gate judges exactly what NMS then records on the session
    const raw = typeof invokeMessage?.streamName === 'string' ? invokeMessage.streamName : '';
    const parts = raw.split('?');
    const decision = decide({
      sessionId: session.id,
      app: typeof rtmp.streamApp === 'string' ? rtmp.streamApp : '',
      stream: parts[0] ?? '',
      query: parseQuery(parts[1] ?? ''),
    });
    if (decision.ok) {
      answerPublish.call(rtmp, invokeMessage);
      return;
    }
    refused = true;
    const sid = rtmp.parserPacket?.header?.stream_id;
    rtmp.sendStatusMessage(typeof sid === 'number' ? sid : 0, 'error', decision.code, decision.description);
    const socket = session.socket;
    socket.end(); // flushes the onStatus, then FIN; librtmp (OBS) closes on these codes
    const linger = setTimeout(() => socket.destroy(), REFUSED_LINGER_MS);
    linger.unref();
    socket.once('close', () => clearTimeout(linger));
  };
}
