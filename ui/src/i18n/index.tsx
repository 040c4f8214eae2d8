import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { Lang } from '../lib/format';
import { dictionaries, type Key } from './dict';

export type { Key };
export type Vars = Record<string, string | number>;
export type T = (key: Key, vars?: Vars) => string;

const LANG_KEY = 'loket.lang';

export function initialLang(): Lang {
  try {
    const v = localStorage.getItem(LANG_KEY);
    if (v === 'en' || v === 'id') return v;
  } catch {
    // no storage: default
  }
  return 'id';
}

export function translate(lang: Lang, key: Key, vars?: Vars): string {
  let s: string = dictionaries[lang][key] ?? dictionaries.en[key] ?? key;
  if (vars) {
    for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  }
  return s;
}

/** Whether `key` is in the dictionary (for values such as a status that may be new). */
export function hasKey(key: string): key is Key {
  return key in dictionaries.en;
}

interface I18n {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: T;
  /** Translates an API value (`status.pending`), falling back to the raw value. */
  tv: (group: string, value: string | null | undefined) => string;
}

const Ctx = createContext<I18n>({
  lang: 'id',
  setLang: () => {},
  t: (k, v) => translate('id', k, v),
  tv: (g, v) => (v ? (hasKey(`${g}.${v}`) ? translate('id', `${g}.${v}` as Key) : v) : '—'),
});

export function I18nProvider({ children, lang: fixed }: { children: ReactNode; lang?: Lang }) {
  const [lang, setLangState] = useState<Lang>(fixed ?? initialLang());
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(LANG_KEY, l);
    } catch {
      // ignore
    }
    document.documentElement.lang = l;
  }, []);
  const value = useMemo<I18n>(() => {
    const t: T = (k, v) => translate(lang, k, v);
    const tv = (group: string, value: string | null | undefined) => {
      if (value === null || value === undefined || value === '') return '—';
      const key = `${group}.${value}`;
      return hasKey(key) ? translate(lang, key) : value;
    };
    return { lang, setLang, t, tv };
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  return useContext(Ctx);
}
