import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";
import { setApiLanguage } from "../api/client";
import { ar } from "./ar";
import { en, type MessageKey, type Messages } from "./en";
import { hi } from "./hi";
import { ta } from "./ta";

export const LANGUAGES = [
  { code: "en", name: "English", dir: "ltr" },
  { code: "hi", name: "हिन्दी", dir: "ltr" },
  { code: "ta", name: "தமிழ்", dir: "ltr" },
  { code: "ar", name: "العربية", dir: "rtl" },
] as const;
export type Language = (typeof LANGUAGES)[number]["code"];

const CATALOG: Record<Language, Messages> = { en, hi, ta, ar };
const STORAGE = "marquee.language";

export function interpolate(text: string, values?: Record<string, string | number>): string {
  if (!values) return text;
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? `{${k}}`));
}

export function translate(
  lang: Language,
  key: MessageKey,
  values?: Record<string, string | number>,
): string {
  return interpolate(CATALOG[lang][key] ?? en[key], values);
}

export function dirOf(lang: Language): "ltr" | "rtl" {
  return LANGUAGES.find((l) => l.code === lang)?.dir ?? "ltr";
}

function initialLanguage(): Language {
  const stored = localStorage.getItem(STORAGE);
  if (stored && stored in CATALOG) return stored as Language;
  for (const tag of navigator.languages ?? []) {
    const base = tag.split("-")[0];
    if (base in CATALOG) return base as Language;
  }
  return "en";
}

type I18n = {
  lang: Language;
  dir: "ltr" | "rtl";
  /** BCP 47 locale for Intl (Indian digits grouping for hi/ta, Arabic for ar). */
  locale: string;
  setLang: (lang: Language) => void;
  t: (key: MessageKey, values?: Record<string, string | number>) => string;
};

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Language>(initialLanguage);
  const dir = dirOf(lang);
  setApiLanguage(lang);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = dir;
  }, [lang, dir]);
  const setLang = useCallback((next: Language) => {
    localStorage.setItem(STORAGE, next);
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(
    () => ({
      lang,
      dir,
      locale: navigator.language.split("-")[0] === lang ? navigator.language : lang,
      setLang,
      t: (key, values) => translate(lang, key, values),
    }),
    [lang, dir, setLang],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error("useI18n outside I18nProvider");
  return ctx;
}

// Genres arrive as the POS words them (English, or the POS's own language: "Komödie").
const GENRE_ALIASES: Record<string, string> = {
  komodie: "comedy",
  familie: "family",
  historie: "history",
  musik: "music",
  sciencefiction: "scifi",
  krimi: "crime",
  abenteuer: "adventure",
};

/** A genre in the interface language; one the app has no word for stays as it came. */
export function genreName(genre: string, lang: Language): string {
  const folded = genre
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z]/g, "");
  const key = `genre.${GENRE_ALIASES[folded] ?? folded}`;
  return key in en ? translate(lang, key as MessageKey) : genre;
}
