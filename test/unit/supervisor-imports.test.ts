/**
 * The supervisor's module structure, checked from its sources: no import cycle in shared/supervisor/, and the
 * layers form one chain, context -> effects -> enter -> states -> step (a module imports only from layers
 * before its own; the state modules never import one another). Consumers of step (runner, snapshot, index ...)
 * sit after the chain. A new file must be placed in a layer here, or this test fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../shared/supervisor');

type Graph = Map<string, string[]>;

/** Layers in chain order; a module may import from an earlier layer (and, where `internal`, from its own). */
const LAYERS: { name: string; files: (f: string) => boolean; internal: boolean }[] = [
  { name: 'context', files: (f) => ['types.ts', 'config.ts', 'context.ts'].includes(f), internal: true },
  { name: 'effects', files: (f) => f.startsWith('effects/'), internal: false },
  { name: 'enter', files: (f) => f === 'enter.ts' || f === 'enter-recovery.ts', internal: true },
  { name: 'states', files: (f) => f.startsWith('states/'), internal: false },
  { name: 'step', files: (f) => f === 'step.ts', internal: false },
  {
    name: 'consumers',
    files: (f) =>
      [
        'runner.ts',
        'runner-effects.ts',
        'runner-ports.ts',
        'snapshot.ts',
        'log.ts',
        'port-errors.ts',
        'index.ts',
      ].includes(f),
    internal: true,
  },
];

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.split('\\').join('/'))
    .sort();
}

/** Relative specifiers of the top-level import and export-from statements (type-only ones included). */
function importsOf(source: string): string[] {
  const specs: string[] = [];
  for (const m of source.matchAll(/^(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm)) specs.push(m[1]!);
  for (const m of source.matchAll(/^import\s*['"]([^'"]+)['"]/gm)) specs.push(m[1]!);
  return specs.filter((s) => s.startsWith('.'));
}

/** The import graph of the supervisor's own files (imports leaving the folder are not edges). */
function buildGraph(): Graph {
  const files = sources(ROOT);
  const graph: Graph = new Map();
  for (const file of files) {
    const targets = importsOf(readFileSync(join(ROOT, file), 'utf8'))
      .map((spec) => posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts'))
      .filter((target) => !target.startsWith('../'));
    for (const t of targets) if (!files.includes(t)) throw new Error(`${file} imports ${t}, which does not exist`);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** One cycle (as a path that returns to its start), or null. Depth-first search with on-stack marks. */
function findCycle(graph: Graph): string[] | null {
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const visit = (n: string): string[] | null => {
    if (onStack.has(n)) return [...stack.slice(stack.indexOf(n)), n];
    if (done.has(n)) return null;
    stack.push(n);
    onStack.add(n);
    for (const m of graph.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    onStack.delete(n);
    done.add(n);
    return null;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

function layerOf(file: string): number {
  return LAYERS.findIndex((l) => l.files(file));
}

/** Imports that go against the chain: "from -> to (layer -> layer)". */
function chainViolations(graph: Graph): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const a = layerOf(from);
    for (const to of targets) {
      const b = layerOf(to);
      const ok = b < a || (b === a && LAYERS[a]!.internal);
      if (!ok) out.push(`${from} -> ${to} (${LAYERS[a]?.name} -> ${LAYERS[b]?.name})`);
    }
  }
  return out;
}

describe('shared/supervisor imports', () => {
  const graph = buildGraph();

  it('reads the real graph (the parser sees the imports it must)', () => {
    expect(graph.get('step.ts')).toEqual(
      expect.arrayContaining(['context.ts', 'states/live.ts', 'states/root.ts', 'types.ts']),
    );
    expect(graph.get('enter.ts')).toEqual(expect.arrayContaining(['context.ts', 'effects/obs-output.ts', 'types.ts']));
    expect(graph.get('index.ts')).toEqual(expect.arrayContaining(['step.ts', 'runner.ts', 'effects/refresh.ts']));
    expect([...graph.values()].flat().length).toBeGreaterThan(60);
  });

  it('places every file in a layer', () => {
    expect([...graph.keys()].filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(findCycle(graph)).toBeNull();
  });

  it('imports along the chain context -> effects -> enter -> states -> step only', () => {
    expect(chainViolations(graph)).toEqual([]);
  });

  it('has one module per state, each imported by step', () => {
    const kinds = [
      'idle',
      'connecting',
      'minting',
      'configuring',
      'starting',
      'confirming',
      'live',
      'recovering',
      'stopping',
      'stopped-by-user',
      'failed',
    ];
    const states = [...graph.keys()].filter((f) => f.startsWith('states/'));
    expect(states.sort()).toEqual(
      [...kinds.map((k) => `states/${k}.ts`), 'states/root.ts', 'states/supervising.ts'].sort(),
    );
    expect(graph.get('step.ts')).toEqual(expect.arrayContaining(states));
  });
});

describe('the checks themselves', () => {
  it('find a cycle, direct or through several files', () => {
    expect(findCycle(new Map([['a.ts', ['a.ts']]]))).toEqual(['a.ts', 'a.ts']);
    const g: Graph = new Map([
      ['context.ts', []],
      ['effects/x.ts', ['context.ts']],
      ['enter.ts', ['effects/x.ts']],
      ['states/live.ts', ['enter.ts']],
    ]);
    expect(findCycle(g)).toBeNull();
    g.set('effects/x.ts', ['context.ts', 'states/live.ts']);
    expect(findCycle(g)).toEqual(['effects/x.ts', 'states/live.ts', 'enter.ts', 'effects/x.ts']);
  });

  it('flag imports against the chain and between states', () => {
    const g: Graph = new Map([
      ['enter.ts', ['states/live.ts', 'context.ts']],
      ['states/live.ts', ['states/idle.ts', 'enter.ts']],
      ['context.ts', ['types.ts']],
    ]);
    expect(chainViolations(g)).toEqual([
      'enter.ts -> states/live.ts (enter -> states)',
      'states/live.ts -> states/idle.ts (states -> states)',
    ]);
  });

  it('read multi-line, type-only and re-export statements, and skip packages', () => {
    const src =
      "import {\n  a,\n  b,\n} from './a.js';\nimport type { T } from '../t.js';\nexport { c } from './c.js';\nexport * from './d.js';\nimport * as z from 'zod/mini';\nimport './side.js';\n";
    expect(importsOf(src).sort()).toEqual(['../t.js', './a.js', './c.js', './d.js', './side.js']);
  });
});
