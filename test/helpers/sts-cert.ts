/**
 * A throwaway self-signed certificate for 127.0.0.1, for the sandbox's HTTPS STS stand-in: the credentials
 * library calls STS over HTTPS only. Made with the system's openssl (in every CI image we use), once per
 * test file, in a temp folder. A spawned CLI trusts it via NODE_EXTRA_CA_CERTS (read only at process start);
 * in-process, `trustInProcess` adds it as `ca` to https requests to 127.0.0.1 (the library's HTTP client,
 * httpx, keeps its own agent and passes `ca` itself, so https.globalAgent is not consulted).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  key: string;
  cert: string;
  certPath: string;
}

export function makeCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'artc-sts-cert-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore', timeout: 30_000 },
  );
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath };
}

/** Trusts the certificate for this process's https requests to 127.0.0.1; returns the undo. */
export function trustInProcess(cert: string): () => void {
  const original = https.request;
  const patched = (...args: unknown[]) => {
    const opts = args[0];
    if (opts && typeof opts === 'object' && !(opts instanceof URL)) {
      const o = opts as https.RequestOptions;
      if (o.host === '127.0.0.1' || o.hostname === '127.0.0.1') o.ca = cert;
    }
    return (original as (...a: unknown[]) => ReturnType<typeof https.request>).apply(https, args);
  };
  https.request = patched as typeof https.request;
  return () => {
    https.request = original;
  };
}
