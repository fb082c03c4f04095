/**
 * The dock's language: English is built in, another language's strings are fetched when chosen (i18n/loadLang);
 * the switch happens once they are there (English meanwhile), and the latest pick wins a slow load.
 */
import { loadLang, type Lang } from '../i18n/index.js';
import type { ModelStore } from './model-store.js';

export function createLangModel({ store, get }: ModelStore): { switchLang(lang: Lang): void } {
  let wanted = get().lang;
  const switchLang = (lang: Lang) => {
    wanted = lang;
    loadLang(lang).then(
      () => wanted === lang && get().lang !== lang && store.update({ lang }),
      () => undefined, // the helper went away mid-fetch: stays in the current language; the next pick tries again
    );
  };
  if (wanted !== 'en') {
    store.update({ lang: 'en' });
    switchLang(wanted);
  }
  return { switchLang };
}
