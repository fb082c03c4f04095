/**
 * The built dock (dist/dock) must run in OBS's embedded Chromium 103 (OBS 28-30.2, obs.md). The e2e test runs in
 * Debian's much newer Chromium, which would not notice syntax or APIs 103 lacks, so this checks the bundle itself:
 *
 * - JS: parsed as a module, then any syntax newer than ES2022 is rejected (`using`, RegExp `v` flag, RegExp
 *   modifiers, duplicate named groups, import attributes). acorn (which takes an `ecmaVersion`) is not in
 *   node_modules; @babel/parser is (via @preact/preset-vite) but parses every finished proposal, hence the explicit
 *   list. Non-standard syntax (decorators, `import defer`) fails Babel's parse without its plugins.
 * - JS: no call of an API that Chromium 103 lacks (Object.groupBy 117, toSorted 110, Promise.withResolvers 119,
 *   Set methods 122, ...), found as member accesses in the AST.
 * - CSS: no `:has(` (105), nesting (112), `@container` (105) and other newer syntax.
 *
 * Each checker is first shown to reject a sample of what it looks for, so a passing bundle means something.
 */
import { readFileSync } from 'node:fs';
import { parse } from '@babel/parser';
import { describe, expect, it } from 'vitest';
import { dockAssets } from '../helpers/dock-dist.js';

/** `Global.member` static APIs newer than Chromium 103 (first version that has it). */
const STATIC_APIS = new Map<string, number>(
  Object.entries({
    'Object.groupBy': 117,
    'Map.groupBy': 117,
    'Promise.withResolvers': 119,
    'Promise.try': 128,
    'Array.fromAsync': 121,
    'URL.canParse': 120,
    'URL.parse': 126,
    'AbortSignal.any': 116,
    'Iterator.from': 122,
    'RegExp.escape': 136,
    'Error.isError': 134,
    'Math.sumPrecise': 137,
    'Response.json': 105,
    'Intl.DurationFormat': 129,
  }),
);

/**
 * Prototype methods newer than 103, matched by property name. `union`, `intersection` and `difference` (Set, 122)
 * are left out: the names are too common (zod's API has `union` and `intersection`); their distinctive siblings,
 * shipped in the same release, stand in for the family.
 */
const METHODS = new Map<string, number>(
  Object.entries({
    toSorted: 110,
    toReversed: 110,
    toSpliced: 110,
    symmetricDifference: 122,
    isSubsetOf: 122,
    isSupersetOf: 122,
    isDisjointFrom: 122,
    isWellFormed: 111,
    toWellFormed: 111,
    transferToFixedLength: 114,
  }),
);

/** Globals that do not exist in 103. */
const GLOBALS = new Map<string, number>(
  Object.entries({ Iterator: 122, DisposableStack: 134, AsyncDisposableStack: 134, Float16Array: 135, Temporal: 144 }),
);

type Node = { type: string; [k: string]: unknown };

/** Visits every AST node with the key it hangs from in its parent (`property` of a member, `key` of a property). */
function walk(
  node: unknown,
  visit: (n: Node, parent: Node | undefined, key: string) => void,
  parent?: Node,
  key = '',
): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach((n) => walk(n, visit, parent, key));
  const n = node as Node;
  if (typeof n.type !== 'string') return;
  visit(n, parent, key);
  for (const [k, v] of Object.entries(n))
    if (k !== 'loc' && k !== 'extra' && v && typeof v === 'object') walk(v, visit, n, k);
}

/** An identifier that names a property (`a.Iterator`, `{ Iterator: 1 }`), not a variable. */
function isPropertyName(parent: Node | undefined, key: string): boolean {
  if (!parent || parent.computed) return false;
  return (
    (key === 'property' && /MemberExpression$/.test(parent.type)) ||
    (key === 'key' && /Property|Method/.test(parent.type))
  );
}

/** Named groups `(?<name>` (not lookbehinds `(?<=`, `(?<!`), escapes skipped. */
function groupNames(pattern: string): string[] {
  return [...pattern.replace(/\\./g, '__').matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1]!);
}

/** Problems for Chromium 103 in one JS module's text; [] when fine. Throws when it does not even parse. */
export function jsProblems(code: string): string[] {
  const ast = parse(code, { sourceType: 'module' });
  const out: string[] = [];
  const at = (n: Node) => `(line ${(n.loc as { start: { line: number } } | undefined)?.start.line ?? '?'})`;
  const scopeNames = new Set<string>();
  walk(ast.program, (n) => {
    if (n.type === 'VariableDeclarator' && (n.id as Node).type === 'Identifier')
      scopeNames.add((n.id as { name: string }).name);
  });
  walk(ast.program, (n, parent, key) => {
    switch (n.type) {
      case 'VariableDeclaration':
        if (n.kind === 'using' || n.kind === 'await using')
          out.push(`\`${String(n.kind)}\` declaration (ES2026) ${at(n)}`);
        break;
      case 'RegExpLiteral': {
        const { pattern, flags } = n as unknown as { pattern: string; flags: string };
        if (flags.includes('v')) out.push(`RegExp v flag (ES2024, Chromium 112) /${pattern}/${flags} ${at(n)}`);
        if (/\(\?[ims]*-?[ims]+:/.test(pattern.replace(/\\./g, '__')))
          out.push(`RegExp modifiers (ES2025, Chromium 125) /${pattern}/ ${at(n)}`);
        const names = groupNames(pattern);
        if (new Set(names).size !== names.length)
          out.push(`duplicate named groups (ES2025, Chromium 125) /${pattern}/ ${at(n)}`);
        break;
      }
      case 'ImportDeclaration':
      case 'ExportNamedDeclaration':
      case 'ExportAllDeclaration':
        if (((n.attributes ?? n.assertions ?? []) as unknown[]).length > 0)
          out.push(`import attributes (ES2025, Chromium 123) ${at(n)}`);
        break;
      case 'CallExpression':
        if ((n.callee as Node).type === 'Import' && (n.arguments as unknown[]).length > 1)
          out.push(`import() options (ES2025, Chromium 123) ${at(n)}`);
        break;
      case 'ImportExpression':
        if (n.options) out.push(`import() options (ES2025, Chromium 123) ${at(n)}`);
        break;
      case 'MemberExpression':
      case 'OptionalMemberExpression': {
        const prop = n.property as Node & { name?: string; value?: unknown };
        const name = n.computed ? (prop.type === 'StringLiteral' ? String(prop.value) : undefined) : prop.name;
        if (name === undefined) break;
        const obj = n.object as Node & { name?: string };
        const key = obj.type === 'Identifier' ? `${obj.name}.${name}` : undefined;
        if (key && STATIC_APIS.has(key) && !scopeNames.has(obj.name!))
          out.push(`${key} (Chromium ${STATIC_APIS.get(key)}) ${at(n)}`);
        if (METHODS.has(name)) out.push(`.${name}() (Chromium ${METHODS.get(name)}) ${at(n)}`);
        break;
      }
      case 'Identifier': {
        const name = (n as unknown as { name: string }).name;
        if (GLOBALS.has(name) && !scopeNames.has(name) && !isPropertyName(parent, key))
          out.push(`${name} (Chromium ${GLOBALS.get(name)}) ${at(n)}`);
        break;
      }
    }
  });
  return out;
}

/** Problems for Chromium 103 in one stylesheet's text (minified or not); [] when fine. */
export function cssProblems(css: string): string[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '').replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'/g, '""');
  const out: string[] = [];
  const checks: Array<[RegExp, string]> = [
    [/:has\(/, ':has() (Chromium 105)'],
    [/@container\b/, '@container (Chromium 105)'],
    [/@scope\b/, '@scope (Chromium 118)'],
    [/@starting-style\b/, '@starting-style (Chromium 117)'],
    [/\bcolor-mix\(/, 'color-mix() (Chromium 111)'],
    [/\blight-dark\(/, 'light-dark() (Chromium 123)'],
    [/\d(?:dvh|svh|lvh|dvw|svw|lvw)\b/, 'dynamic viewport units (Chromium 108)'],
  ];
  for (const [re, what] of checks) if (re.test(text)) out.push(what);
  // nesting: a `{` opened inside a style rule. Group at-rules hold rules, @keyframes holds `50% {...}` blocks.
  const stack: Array<'group' | 'keyframes' | 'rule'> = [];
  let prelude = '';
  for (const ch of text) {
    if (ch === '{') {
      const p = prelude.trim();
      if (stack[stack.length - 1] === 'rule') out.push(`CSS nesting (Chromium 112): "${p.slice(0, 40)}"`);
      stack.push(
        /^@(media|supports|layer|document)\b/.test(p)
          ? 'group'
          : /^@(-webkit-)?keyframes\b/.test(p)
            ? 'keyframes'
            : 'rule',
      );
      prelude = '';
    } else if (ch === '}') {
      stack.pop();
      prelude = '';
    } else if (ch === ';') prelude = '';
    else prelude += ch;
  }
  return out;
}

describe('the checkers catch what they look for', () => {
  it.each([
    ['using x = y;', '`using`'],
    ['async function f() { await using x = y; }', '`await using`'],
    ['const r = /[\\p{L}--[a-z]]/v;', 'v flag'],
    ['const r = /(?i:a)b/;', 'modifiers'],
    ['const r = /(?<y>\\d{4})-1|(?<y>\\d{2})-2/;', 'duplicate named'],
    ['import data from "./x.json" with { type: "json" };', 'import attributes'],
    ['const m = await import("./x.json", { with: { type: "json" } });', 'import() options'],
    ['const g = Object.groupBy(xs, f);', 'Object.groupBy'],
    ['const s = xs.toSorted();', 'toSorted'],
    ['const { promise } = Promise.withResolvers();', 'Promise.withResolvers'],
    ['const d = a.symmetricDifference(b);', 'symmetricDifference'],
    ['const ok = URL.canParse(u);', 'URL.canParse'],
    ['const it = Iterator.from(xs);', 'Iterator'],
  ])('rejects %s', (code, what) => {
    expect(jsProblems(code).join('\n')).toContain(what);
  });

  it('rejects non-standard syntax at parse time', () => {
    expect(() => jsProblems('@dec class A {}')).toThrow();
  });

  it('accepts ES2022 and what Chromium 103 has', () => {
    const ok = [
      'class A { static #n = 1; static { A.x = 1; } has(o) { return #n in o; } }',
      'const v = await Promise.any([a?.b ?? c]); x ||= 1; y &&= 2; z ??= 3;',
      'const r = /(?<year>\\d{4})/d.exec(s); const l = xs.at(-1); const f = xs.findLast(Boolean);',
      'const o = Object.hasOwn(a, "b"); const c = structuredClone(o); const e = new Error("x", { cause: o });',
      'const t = AbortSignal.timeout(5000); const z = s.replaceAll("a", "b"); const u = crypto.randomUUID();',
      'const p = z.union([a, b]); const q = z.intersection(a, b); const k = { Iterator: 1 }.Iterator;',
    ].join('\n');
    expect(jsProblems(ok)).toEqual([]);
  });

  it.each([
    ['.a:has(.b){color:red}', ':has()'],
    ['.a{color:red;.b{color:blue}}', 'nesting'],
    ['.a{color:red;&:hover{color:blue}}', 'nesting'],
    ['@container (min-width: 10px){.a{color:red}}', '@container'],
    ['.a{color:color-mix(in srgb, red, blue)}', 'color-mix'],
  ])('rejects CSS %s', (css, what) => {
    expect(cssProblems(css).join('\n')).toContain(what);
  });

  it('accepts CSS that Chromium 103 has', () => {
    const ok =
      '@media (prefers-reduced-motion: no-preference){button{transition:background-color .12s}.s{animation:p 1.6s}}@keyframes p{50%{opacity:.65}from,to{opacity:1}}:is(.a,.b):where(.c){inset:0;aspect-ratio:1}@supports (display:grid){.g{display:grid}}@layer base{.l{color:red}}';
    expect(cssProblems(ok)).toEqual([]);
  });
});

describe("the built dock for OBS's Chromium 103 (dist/dock)", () => {
  it('JS: ES2022 syntax at most, and no API newer than Chromium 103', () => {
    for (const file of dockAssets('.js')) {
      const code = readFileSync(file, 'utf8');
      let problems: string[];
      try {
        problems = jsProblems(code);
      } catch (e) {
        throw new Error(`${file} does not parse: ${(e as Error).message}`);
      }
      expect(problems, file).toEqual([]);
    }
  });

  it('CSS: no selector, at-rule or nesting newer than Chromium 103', () => {
    for (const file of dockAssets('.css')) expect(cssProblems(readFileSync(file, 'utf8')), file).toEqual([]);
  });
});
