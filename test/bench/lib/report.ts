/**
 * The bench report's fixed parts (test/bench/bench.ts measures): the table's row order, the conditions it was
 * measured under, a median for the notes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load1 } from './stats.js';

/** The table's row order. */
export const ORDER = [
  'golive-click-started',
  'golive-click-present',
  'golive-click-creates',
  'golive-cmd-started',
  'golive-cmd-present',
  'golive-cmd-confirmed',
  'cli-sandbox',
  'cli-started',
  'cli-live',
  'kick-sup-back',
  'kick-sup-off-back',
  'kick-alone-back',
  'kick-sup-detected',
  'kick-sup-confirmed',
  'kick-sup-gap',
  'kick-sup-off-gap',
  'kick-alone-gap',
  'removal-sup-back',
  'removal-sup-before',
  'removal-sup-detected',
  'removal-sup-polls',
  'removal-sup-gap',
  'removal-alone',
  'expired-sup-back',
  'expired-sup-gap',
  'expired-shift-back',
  'expired-alone',
  'creates',
  'creates-shift',
  'api-healthy',
  'poll-gap',
  'dock-gzip',
  'dock-gzip-live',
  'helper-cloud-start',
  'helper-cloud-rss',
  'helper-sandbox-start',
  'helper-sandbox-rss',
];

/** What was measured against: the commit, the sandbox ingest's behaviour, who else was using the machine. */
export function describeConditions(root: string, reps: number, startLoad: number): string[] {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trimEnd(); // trimEnd: porcelain lines start with a status column that may be a space
    } catch {
      return '?';
    }
  };
  const dirty = git('status', '--porcelain', '--untracked-files=no')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(3));
  const ingest = git('log', '-1', '--format=%h %s', '--', 'script/sandbox/ingest.ts');
  const refusesEarly = /Publish\.Denied|never Publish\.Start|before answering/i.test(
    readFileSync(join(root, 'script/sandbox/ingest.ts'), 'utf8') + ingest,
  );
  return [
    `commit ${git('rev-parse', '--short', 'HEAD')}${dirty.length ? ` + uncommitted changes in ${dirty.join(', ')}` : ''}; ${reps} repetitions per figure unless n says otherwise`,
    `sandbox ingest: ${refusesEarly ? 'a refused publish is refused before Publish.Start (like the real cloud): OBS sees STOPPED, or a failed retry while RECONNECTING' : 'a refused publish gets Publish.Start, then the socket is closed'} (${ingest.slice(0, 80)})`,
    'OBS 29.0.2 headless (Xvfb), 640x360 30 fps x264 ultrafast 800 kbps, sandbox in-process on 127.0.0.1; "back" = the sandbox lists the publisher again (its publish-accepted event), "STARTED" = StreamStateChanged seen by an independent obs-websocket client',
    "supervisor: default config (5 s polls, 10 h URLs, reconnect grace 0) except the storm brake, off (the bench injects a fault every few seconds: by design the 6th recovery within 10 min would wait 30 s); OBS's own auto-reconnect at its default (on, 2 s, 25 tries) unless a row says otherwise",
    `machine shared with other engineers' test runs (2 cores): 1-min load ${startLoad} at the start, ${load1()} at the end`,
  ];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : 0;
}
