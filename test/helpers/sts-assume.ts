/**
 * An STS key from the emulator's AssumeRole, asked the way `aliyun sts AssumeRole` would (classic RPC
 * signature, HMAC-SHA1, form body), for tests whose credentials are a role session.
 */
import { percentEncode } from '../../script/cloud/sign-v3.js';
import { rpcSignature } from '../../script/sandbox/gateway-rpc.js';
import { STS_VERSION } from '../../script/sandbox/sts.js';
import { ENDPOINT, type setup } from './emulator-fixture.js';

export interface StsKey {
  AccessKeyId: string;
  AccessKeySecret: string;
  SecurityToken: string;
}

export async function assumeSandboxRole(
  f: ReturnType<typeof setup>,
  o: { sessionName: string; seconds: number },
): Promise<StsKey> {
  const c = f.emu.credentials;
  const p: Record<string, string> = {
    Action: 'AssumeRole',
    Version: STS_VERSION,
    Format: 'JSON',
    AccessKeyId: c.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: f.nonce(),
    Timestamp: new Date(f.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    RoleArn: 'acs:ram::1:role/live',
    RoleSessionName: o.sessionName,
    DurationSeconds: String(o.seconds),
  };
  p.Signature = rpcSignature('POST', p, c.accessKeySecret).signature;
  const body = Object.entries(p)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
  const res = await f.emu.handleSts(
    new Request(`${ENDPOINT}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    }),
  );
  return ((await res.json()) as { Credentials: StsKey }).Credentials;
}
