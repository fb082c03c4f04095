/**
 * The helper's HTTP server as a function from Request to Response (Hono's shape): tests call it directly,
 * `listen.ts` binds it to node:http. Order matters: Host (DNS rebinding) and Origin / Fetch Metadata checks run
 * on every request, then static files are served without a token (the page carries `?token=` in its URL),
 * while every `/api/*` call needs the token before anything else, even a 404.
 */
import type * as z from 'zod/mini';
import {
  routes,
  type AlertSettingsBody,
  type AlertTestBody,
  type FaultRequest,
  type HealthBody,
  type IntentBody,
  type ObsHintsBody,
  type RouteBody,
  type RouteName,
  type RouteResponse,
  type SettingsBody,
} from '../../shared/api-routes.js';
import { readJsonBody } from './body.js';
import type { CloudApi } from './cloud-api.js';
import { toHttpError } from './error-map.js';
import { checkHost } from './host-check.js';
import { HttpError, errorResponse, json } from './http-error.js';
import type { JsonStore } from './json-store.js';
import type { Leases } from './leases.js';
import { checkOrigin } from './origin-check.js';
import { serveStatic } from './static.js';
import { checkToken } from './token.js';

export type Handler = (req: Request) => Promise<Response>;

export interface HandlerDeps {
  /** the port we listen on: Host and Origin must name it */
  port: number;
  /** the per-install API token (token-store.ts) */
  token: string;
  /** the cloud, camelCase in, ISO times out (cloud-api.ts wraps LiveApiClient) */
  api: CloudApi;
  /** what GET /api/health reports besides `ok` */
  health: Omit<HealthBody, 'ok'>;
  /** OBS connection hints, read when asked (OBS may be reconfigured while the helper runs) */
  obsHints: () => ObsHintsBody | Promise<ObsHintsBody>;
  settingsStore: JsonStore<SettingsBody>;
  intentStore: JsonStore<IntentBody>;
  leases: Leases;
  /** the dock's alert settings and the test alert (script/alerts/settings.ts); absent: those routes answer 404 */
  alerts?:
    | {
        read(): Promise<AlertSettingsBody>;
        write(s: AlertSettingsBody): Promise<AlertSettingsBody>;
        test(): Promise<AlertTestBody>;
      }
    | undefined;
  /** sandbox fault injection; absent in cloud mode, where the route answers 404 */
  faults?: ((fault: FaultRequest) => Promise<void>) | undefined;
  /** the built dock, dist/dock */
  staticDir: string;
  now: () => number;
  /** strings that must never appear in a response (AccessKey secret, STS token), redacted defensively */
  secrets?: ReadonlyArray<string | undefined> | (() => ReadonlyArray<string | undefined>);
  log?: (line: string) => void;
}

function alertsOf(d: HandlerDeps): NonNullable<HandlerDeps['alerts']> {
  if (!d.alerts) throw HttpError.notFound('Alerts are not available in this helper');
  return d.alerts;
}

type Impls = { [N in RouteName]: (body: RouteBody<N>) => Promise<RouteResponse<N>> };

function implementations(d: HandlerDeps): Impls {
  return {
    health: async () => ({ ok: true, ...d.health }),
    ingestUrl: (channel) => d.api.mint(channel),
    participants: (ref) => d.api.participants(ref),
    obsHints: async () => d.obsHints(),
    getSettings: () => d.settingsStore.read(),
    putSettings: (settings) => d.settingsStore.write(settings),
    getIntent: () => d.intentStore.read(),
    // the helper's clock stamps the intent: docks on other machines' clocks never reorder it
    putIntent: (intent) => d.intentStore.write({ ...intent, updatedAt: new Date(d.now()).toISOString() }),
    lease: async (req) => d.leases.request(req),
    getAlerts: () => alertsOf(d).read(),
    putAlerts: (s) => alertsOf(d).write(s),
    testAlert: () => alertsOf(d).test(),
    fault: async (fault) => {
      if (!d.faults) throw HttpError.notFound('Fault injection exists only in sandbox mode');
      await d.faults(fault);
      return { ok: true };
    },
  };
}

const ROUTE_LIST = Object.entries(routes) as Array<[RouteName, (typeof routes)[RouteName]]>;

async function dispatch(req: Request, pathname: string, d: HandlerDeps, impls: Impls): Promise<Response> {
  const onPath = ROUTE_LIST.filter(([, r]) => r.path === pathname);
  if (onPath.length === 0) throw HttpError.notFound();
  const hit = onPath.find(([, r]) => r.method === req.method);
  if (!hit) throw HttpError.methodNotAllowed(onPath.map(([, r]) => r.method));
  const [name, route] = hit;
  // before reading the body: in cloud mode this route does not exist at all
  if (name === 'fault' && !d.faults) throw HttpError.notFound('Fault injection exists only in sandbox mode');
  const body = route.body ? await readJsonBody(req, route.body as z.ZodMiniType<unknown>) : undefined;
  const result = await (impls[name] as (b: unknown) => Promise<unknown>)(body);
  return json(200, result);
}

export function createHandler(d: HandlerDeps): Handler {
  const impls = implementations(d);
  // a function when STS credentials rotate: each refresh adds a secret and a token to redact
  const secretsNow = () => (typeof d.secrets === 'function' ? d.secrets() : (d.secrets ?? []));
  return async (req) => {
    try {
      checkHost(req, d.port);
      const { pathname } = new URL(req.url);
      const isApi = pathname === '/api' || pathname.startsWith('/api/');
      checkOrigin(req, d.port, { api: isApi });
      if (!isApi) return await serveStatic(req, d.staticDir);
      checkToken(req, d.token);
      return await dispatch(req, pathname, d, impls);
    } catch (e) {
      return errorResponse(toHttpError(e, secretsNow(), d.log));
    }
  };
}
