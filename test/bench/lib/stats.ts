/**
 * Figures for the bench: samples -> median, p90 (nearest rank), n, min, max; a markdown table; the JSON file.
 * A figure may also be a plain observation (`text`) when there is no latency to take a median of (OBS alone
 * never notices a silent removal).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';

export interface Figure {
  id: string;
  label: string;
  unit: 'ms' | 'calls' | 'calls/min' | 'B' | 'MB' | 'retries';
  samples: number[];
  target?: string;
  /** shown instead of median/p90 when set (an observation rather than a distribution) */
  text?: string;
  note?: string;
}

export interface Summary {
  n: number;
  median: number | null;
  p90: number | null;
  min: number | null;
  max: number | null;
}

/** Nearest-rank percentile of sorted numbers (p in (0, 1]). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

export function summarize(samples: readonly number[]): Summary {
  const s = [...samples].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return { n: 0, median: null, p90: null, min: null, max: null };
  const mid = s.length / 2;
  const median = s.length % 2 ? s[Math.floor(mid)]! : (s[mid - 1]! + s[mid]!) / 2;
  return { n: s.length, median, p90: percentile(s, 0.9), min: s[0]!, max: s[s.length - 1]! };
}

function fmt(v: number | null, unit: Figure['unit']): string {
  if (v === null) return '–';
  if (unit === 'ms')
    return v >= 10_000
      ? `${(v / 1000).toFixed(1)} s`
      : v >= 1000
        ? `${(v / 1000).toFixed(2)} s`
        : `${Math.round(v)} ms`;
  if (unit === 'B') return `${(v / 1024).toFixed(1)} KB`;
  if (unit === 'MB') return `${v.toFixed(1)} MB`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

export function tableRow(f: Figure): string {
  const s = summarize(f.samples);
  const cells =
    f.text !== undefined ? [f.text, '', String(s.n)] : [fmt(s.median, f.unit), fmt(s.p90, f.unit), String(s.n)];
  return `| ${f.label} | ${cells.join(' | ')} | ${f.target ?? ''} | ${f.note ?? ''} |`;
}

export function markdownTable(figures: readonly Figure[]): string {
  return ['| figure | median | p90 | n | target | note |', '|---|---|---|---|---|---|', ...figures.map(tableRow)].join(
    '\n',
  );
}

export interface Machine {
  cores: number;
  cpu: string;
  memGiB: number;
  node: string;
  kernel: string;
  os: string;
  obs: string;
}

export function machine(obsVersion: string, os = 'Debian 12'): Machine {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? '?',
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
    os,
    obs: obsVersion,
  };
}

export interface Report {
  kind: 'bench' | 'soak' | 'partial';
  date: string;
  machine: Machine;
  /** 1-min load average at the start and at the end: other engineers' tests share the 2 cores */
  load: { start: number; end: number };
  conditions: string[];
  figures: Array<Figure & Summary>;
  extra?: Record<string, unknown>;
}

export function load1(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

/** Writes bench-results/<kind>-<date>.json and <kind>-latest.md (bench: latest.md); returns the markdown. */
export function writeReport(root: string, r: Report, title: string): { md: string; jsonPath: string } {
  const dir = join(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const stamp = r.date.replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  const jsonPath = join(dir, `${r.kind}-${stamp}.json`);
  writeFileSync(jsonPath, JSON.stringify(r, null, 2) + '\n');
  const m = r.machine;
  const md = [
    `### ${title}`,
    '',
    `${r.date.slice(0, 10)} · ${m.cores} cores (${m.cpu}), ${m.memGiB} GiB · Node ${m.node.replace(/^v/, '')} · OBS ${m.obs} · ${m.os} · load ${r.load.start} -> ${r.load.end}`,
    '',
    markdownTable(r.figures),
    '',
    ...r.conditions.map((c) => `- ${c}`),
    '',
  ].join('\n');
  writeFileSync(join(dir, r.kind === 'bench' ? 'latest.md' : `${r.kind}-latest.md`), md);
  return { md, jsonPath };
}

export function withSummary(f: Figure): Figure & Summary {
  return { ...f, ...summarize(f.samples) };
}
