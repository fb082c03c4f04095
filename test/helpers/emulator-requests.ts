/**
 * Requests for the emulator gateway tests: built as the official SDK does, edited (header stripped/set, body), and the
 * error-shape check.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'node:querystring';
import OpenApiUtil from '@alicloud/openapi-util';
import { expect } from 'vitest';
import { formatAcsDate } from '../../script/cloud/sign-v3.js';
import { API_VERSION } from '../../shared/cloud-schemas.js';
import { ENDPOINT, HOST, setup, type Answer } from './emulator-fixture.js';

export const official = (OpenApiUtil as unknown as { default?: typeof OpenApiUtil }).default ?? OpenApiUtil;
export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
export const CREATE = { AppId: 'app1', ChannelId: 'room1', UserId: 'obs-1', DisplayName: "直播 !'()*~ test" };

export interface Parts {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A request as the official SDK builds it: its header set, its signer, its query-string encoder. */
export function officialParts(
  f: ReturnType<typeof setup>,
  action: string,
  method: 'GET' | 'POST',
  query: Record<string, string>,
  nonce: string,
): Parts {
  const { accessKeyId, accessKeySecret, securityToken } = f.emu.credentials;
  const headers: Record<string, string> = {
    host: HOST,
    'x-acs-version': API_VERSION,
    'x-acs-action': action,
    'user-agent': 'AlibabaCloud (linux; x64) Node.js/v20.20.2 Core/1.0.1 TeaDSL/2',
    'x-acs-date': formatAcsDate(f.clock.now()),
    'x-acs-signature-nonce': nonce,
    accept: 'application/json',
    'x-acs-content-sha256': sha256(''),
  };
  if (securityToken)
    Object.assign(headers, { 'x-acs-accesskey-id': accessKeyId, 'x-acs-security-token': securityToken });
  headers.Authorization = official.getAuthorization(
    { pathname: '/', method, query, headers } as never,
    'ACS3-HMAC-SHA256',
    sha256(''),
    accessKeyId,
    accessKeySecret,
  );
  return { method, url: `${ENDPOINT}/?${stringify(query)}`, headers, body: '' };
}

export const toRequest = (p: Parts) =>
  new Request(p.url, { method: p.method, headers: p.headers, ...(p.method === 'POST' ? { body: p.body } : {}) });

export function expectError(r: Answer, status: number, code: string) {
  expect({ status: r.status, code: r.body.Code }).toEqual({ status, code });
  expect(Object.keys(r.body)).toEqual(expect.arrayContaining(['RequestId', 'HostId', 'Code', 'Message']));
  expect(r.body.RequestId).toMatch(REQUEST_ID);
  expect(r.headers.get('x-acs-request-id')).toBe(r.body.RequestId);
  expect(r.body.HostId).toBe('live.aliyuncs.com');
}

export function strip(req: Request, name: string): Request {
  const headers = new Headers(req.headers);
  headers.delete(name);
  return new Request(req, { headers });
}
export function withHeader(req: Request, name: string, value: string): Request {
  const headers = new Headers(req.headers);
  headers.set(name, value);
  return new Request(req, { headers });
}
export function withBody(req: Request, body: string): Request {
  return new Request(req.url, { method: req.method, headers: req.headers, body });
}
