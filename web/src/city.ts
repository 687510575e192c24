// The chosen city is a preference, not a credential: it is remembered in localStorage.
const KEY = "marquee.city";

export function rememberedCity(): string | null {
  return localStorage.getItem(KEY);
}

export function rememberCity(city: string): void {
  localStorage.setItem(KEY, city);
}
