/**
 * A tiny i18n: `translate(lang, key, vars)` with `{name}` placeholders. The language follows the browser
 * (navigator.languages) until the user picks one; the pick is persisted by the model.
 */
import { en, type MessageKey } from './en.js';
import { zhCN } from './zh-CN.js';

export type Lang = 'en' | 'zh-CN';
export type { MessageKey };
export type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

const tables: Record<Lang, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

export function translate(lang: Lang, key: MessageKey, vars?: Vars): string {
  const text = tables[lang][key] ?? en[key] ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
}

/** Simplified Chinese for zh, zh-CN, zh-Hans*, zh-SG; English for everything else (no Traditional table yet). */
export function detectLang(languages: readonly string[] | undefined): Lang {
  for (const l of languages ?? []) {
    const tag = l.toLowerCase();
    if (tag === 'zh' || tag.startsWith('zh-cn') || tag.startsWith('zh-hans') || tag.startsWith('zh-sg')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}

export function isLang(x: unknown): x is Lang {
  return x === 'en' || x === 'zh-CN';
}

/**
 * The shared schemas speak English ("AppId is required"). Map their messages onto keys so zh-CN users read
 * them in Chinese; anything unknown is shown as the schema wrote it.
 */
const VALIDATION: Array<[RegExp, MessageKey]> = [
  [/is required$/, 'v.required'],
  [/must be at most (\d+) characters/, 'v.maxChars'],
  [/may contain only letters/, 'v.idChars'],
  [/control characters/, 'v.control'],
  [/must be a number of seconds/, 'v.number'],
  [/whole number/, 'v.integer'],
  [/positive number/, 'v.positive'],
  [/must be at most (\d+) seconds/, 'v.maxSeconds'],
];

export function translateValidation(lang: Lang, message: string, fieldLabel: string): string {
  if (lang === 'en') return message;
  for (const [re, key] of VALIDATION) {
    const m = re.exec(message);
    if (m) return translate(lang, key, { field: fieldLabel, n: m[1] ?? '' });
  }
  return message;
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}
