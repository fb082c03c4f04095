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
  return fill(tables[lang][key] ?? en[key] ?? key, vars);
}

function fill(text: string, vars?: Vars): string {
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
 * The shared schemas speak English ("AppId is required"), shown as is in English. For zh-CN their messages
 * are matched here and said in Chinese, naming the field by its label; anything unknown is shown as written.
 */
const ZH_VALIDATION: Array<[RegExp, string]> = [
  [/is required$/, '{field} 为必填项'],
  [/must be at most (\d+) characters/, '{field} 最多 {n} 个字符'],
  [/may contain only letters/, '{field} 只能包含字母、数字、"_" 和 "-"'],
  [/control characters/, '{field} 不能包含控制字符'],
  [/must be a number of seconds/, '{field} 必须是秒数'],
  [/whole number/, '{field} 必须是整数秒'],
  [/positive number/, '{field} 必须是正的秒数'],
  [/must be at most (\d+) seconds/, '{field} 最多 {n} 秒（30 天）'],
];

export function translateValidation(lang: Lang, message: string, fieldLabel: string): string {
  if (lang === 'en') return message;
  for (const [re, text] of ZH_VALIDATION) {
    const m = re.exec(message);
    if (m) return fill(text, { field: fieldLabel, n: m[1] ?? '' });
  }
  return message;
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}
