/** Entry point of dist/artc-ingest.mjs. */
import { main } from './cli/index.js';

const ac = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    ac.abort(sig);
    // long-running commands wind down on the abort; anything still up after 5 s is cut short
    setTimeout(() => process.exit(sig === 'SIGINT' ? 130 : 143), 5_000).unref();
  });
}
process.exitCode = await main(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  signal: ac.signal,
});
