/**
 * The typed client of the helper's local API, generated from the route map in shared/api-routes.ts:
 * `call('ingestUrl', channel)` checks the body against the route's schema, sends it same-origin with the
 * token header, and checks the answer against the route's response schema. Every call has a deadline.
 */
import * as z from 'zod/mini';
import {
  ApiErrorBody,
  TOKEN_HEADER,
  routes,
  type RouteBody,
  type RouteName,
  type RouteResponse,
} from '../../../shared/api-routes.js';
import { formatIssues } from '../../../shared/cloud-schemas.js';
import { ApiCallError, ClientCode } from './errors.js';

export const DEFAULT_API_TIMEOUT_MS = 10_000;

export type CallArgs<N extends RouteName> = RouteBody<N> extends undefined ? [] : [body: RouteBody<N>];

export interface ApiClient {
  call<N extends RouteName>(name: N, ...args: CallArgs<N>): Promise<RouteResponse<N>>;
}

export interface ApiClientOptions {
  /** the helper token (read per call: it may arrive after the client is made) */
  token: () => string | null;
  fetch?: typeof fetch;
  /** '' for same-origin */
  baseUrl?: string;
  timeoutMs?: number;
}

export function createApiClient(opts: ApiClientOptions): ApiClient {
  const doFetch = opts.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = opts.timeoutMs ?? DEFAULT_API_TIMEOUT_MS;
  const baseUrl = opts.baseUrl ?? '';

  async function call<N extends RouteName>(name: N, ...args: CallArgs<N>): Promise<RouteResponse<N>> {
    const route = routes[name];
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = opts.token();
    if (token) headers[TOKEN_HEADER] = token;
    let body: string | undefined;
    if (route.body) {
      const checked = z.safeParse(route.body, args[0]);
      if (!checked.success) {
        const first = checked.error.issues[0];
        throw new ApiCallError({
          code: ClientCode.InvalidRequest,
          message: formatIssues(checked.error),
          retryable: false,
          ...(first?.path.length ? { field: first.path.map(String).join('.') } : {}),
        });
      }
      body = JSON.stringify(checked.data);
      headers['content-type'] = 'application/json';
    }

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let res: Response;
    let json: unknown;
    try {
      res = await doFetch(baseUrl + route.path, {
        method: route.method,
        headers,
        body,
        signal: controller.signal,
        cache: 'no-store',
      });
      json = await res.json().catch(() => undefined);
    } catch (err) {
      throw controller.signal.aborted ? ApiCallError.timeout(timeoutMs) : ApiCallError.unreachable(err);
    } finally {
      clearTimeout(timer);
    }

    if (!res.ok) throw errorFromResponse(res.status, json);
    const parsed = z.safeParse(route.response as z.ZodMiniType, json);
    if (!parsed.success) {
      throw new ApiCallError({
        code: ClientCode.BadResponse,
        message: `${route.path}: ${formatIssues(parsed.error)}`,
        retryable: false,
        status: res.status,
      });
    }
    return parsed.data as RouteResponse<N>;
  }

  return { call };
}

function errorFromResponse(status: number, json: unknown): ApiCallError {
  const body = z.safeParse(ApiErrorBody, json);
  if (body.success) return new ApiCallError({ ...body.data, status });
  if (status === 401 || status === 403) {
    return new ApiCallError({
      code: ClientCode.Unauthorized,
      message: 'The helper refused the token',
      retryable: false,
      status,
    });
  }
  return new ApiCallError({
    code: `Http${status}`,
    message: `The helper answered HTTP ${status}`,
    retryable: status >= 500,
    status,
  });
}
