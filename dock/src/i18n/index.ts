/**
 * A tiny i18n: `translate(lang, key, vars)` with `{name}` placeholders. The language follows the browser
 * (navigator.languages) until the user picks one; the pick is persisted by the model. English is built in;
 * the Simplified Chinese table is a chunk of its own, fetched when chosen (`loadLang`): until it is there,
 * text falls back to English.
 */
import { en, type MessageKey } from './en.js';

export type Lang = 'en' | 'zh-CN';
export type { MessageKey };
export type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

export type Messages = Record<MessageKey, string>;
/** Matches an English schema message and says it in the table's language ({field}, {n}). */
export type ValidationTable = Array<[RegExp, string]>;

const tables: Partial<Record<Lang, { messages: Messages; validation: ValidationTable }>> = {
  en: { messages: en, validation: [] },
};

export function translate(lang: Lang, key: MessageKey, vars?: Vars): string {
  return fill(tables[lang]?.messages[key] ?? en[key] ?? key, vars);
}

export function isLoaded(lang: Lang): boolean {
  return tables[lang] !== undefined;
}

/** Fetches a language's table once (a failed fetch is tried again on the next call). */
export async function loadLang(lang: Lang): Promise<void> {
  if (isLoaded(lang)) return;
  const zh = await import('./zh-CN.js');
  tables['zh-CN'] = { messages: zh.zhCN, validation: zh.ZH_VALIDATION };
}

export function fill(text: string, vars?: Vars): string {
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
 * The shared schemas speak English ("AppId is required"), shown as is in English. For other languages their
 * messages are matched by the table's patterns and said in that language, naming the field by its label;
 * anything unknown is shown as written.
 */
export function translateValidation(lang: Lang, message: string, fieldLabel: string): string {
  for (const [re, text] of tables[lang]?.validation ?? []) {
    const m = re.exec(message);
    if (m) return fill(text, { field: fieldLabel, n: m[1] ?? '' });
  }
  return message;
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}
