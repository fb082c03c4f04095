/** EN / 中文: two toggle buttons (their own language's name, so anyone can find theirs). */
import type { Lang } from '../../i18n/index.js';
import { useDock, useModel, useT } from '../context.js';
import './style.css';

const LANGS: Array<[Lang, string]> = [
  ['en', 'EN'],
  ['zh-CN', '中文'],
];

export function LanguageSwitch() {
  const model = useModel();
  const { lang } = useDock();
  const t = useT();
  return (
    <div class="lang-switch" role="group" aria-label={t('lang.label')}>
      {LANGS.map(([code, name]) => (
        <button key={code} type="button" lang={code} aria-pressed={lang === code} onClick={() => model.setLang(code)}>
          {name}
        </button>
      ))}
    </div>
  );
}
