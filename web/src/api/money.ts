import type { Schemas } from "./client";

export type Money = Schemas["Money"];

const digitsCache = new Map<string, number>();

export function fractionDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

// Building an Intl formatter costs far more than using one: a seat map labels 400 seats.
const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Money arrives in minor units with its ISO currency; Intl formats it in the user's locale. */
export function formatMoney(money: Money, locale: string): string {
  const key = `${locale}|${money.currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: "currency", currency: money.currency });
    moneyFormats.set(key, format);
  }
  return format.format(money.amount / 10 ** fractionDigits(money.currency));
}

export function formatDateTime(
  iso: string,
  timeZone: string,
  locale: string,
  options: Intl.DateTimeFormatOptions = { dateStyle: "medium", timeStyle: "short" },
): string {
  return new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(new Date(iso));
}

export function dayKey(iso: string, timeZone: string): string {
  // en-CA gives YYYY-MM-DD: a sortable key for "the same day in the theatre's time zone".
  return new Intl.DateTimeFormat("en-CA", { timeZone, dateStyle: "short" }).format(new Date(iso));
}
