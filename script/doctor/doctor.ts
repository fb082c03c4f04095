/**
 * `artc-ingest doctor`: runs every check and prints one line each, `✔` / `!` / `✖`, with the fix after "Fix:".
 * Exit 0 when nothing failed (warnings included), 1 otherwise.
 */
import {
  checkCredentials,
  clockLine,
  dockLine,
  endpointLine,
  helperPortLine,
  obsConfigLine,
  obsConnectionLine,
  probeEndpoint,
  scriptLine,
  websocketLine,
  type CheckLine,
  type DoctorDeps,
} from './checks.js';

const MARK = { ok: '✔', warn: '!', fail: '✖' } as const;

export function formatLine(l: CheckLine): string {
  return `${MARK[l.status]} ${l.name}: ${l.detail}${l.fix ? `. Fix: ${l.fix}` : ''}`;
}

export async function runChecks(d: DoctorDeps): Promise<CheckLine[]> {
  const sandbox = d.sandbox ? d.readSandbox() : null;
  const endpoint = d.sandbox ? sandbox?.endpoint : d.endpoint;
  // the endpoint probe, the OBS connection and the helper probe are independent: run them together
  const layout = d.layout();
  const ws = d.readWebsocket();
  const [credLine, probe, obsLine, portLine] = await Promise.all([
    checkCredentials(d),
    endpoint ? probeEndpoint(d, endpoint) : Promise.resolve(undefined),
    obsConnectionLine(d, ws),
    helperPortLine(d),
  ]);
  return [
    credLine,
    clockLine(d, probe ?? { reachable: false, detail: 'not checked' }),
    endpointLine(d, endpoint, probe),
    obsConfigLine(d, layout),
    websocketLine(ws),
    obsLine,
    dockLine(d, layout),
    scriptLine(d, layout),
    portLine,
  ];
}

export async function doctor(d: DoctorDeps, out: (text: string) => void): Promise<number> {
  const lines = await runChecks(d);
  for (const l of lines) out(formatLine(l) + '\n');
  const failed = lines.filter((l) => l.status === 'fail').length;
  const warned = lines.filter((l) => l.status === 'warn').length;
  out(failed ? `\n${failed} problem(s) found.\n` : `\nAll checks passed${warned ? ` (${warned} warning(s))` : ''}.\n`);
  return failed ? 1 : 0;
}
