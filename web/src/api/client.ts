// The API client: typed by schema.d.ts (generated from the OpenAPI document), same origin,
// the session travels in httpOnly cookies. Unsafe requests echo the CSRF cookie in a header;
// an expired access cookie is renewed once from the refresh cookie and the request retried.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"] & { seats?: string[]; [key: string]: unknown };

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
let language = "en";

export function setApiLanguage(lang: string): void {
  language = lang;
}

export function csrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)mq_csrf=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function prepare(request: Request): Request {
  const headers = new Headers(request.headers);
  if (UNSAFE.has(request.method)) headers.set("X-CSRF-Token", csrfToken());
  if (!headers.has("Accept-Language")) headers.set("Accept-Language", language);
  return new Request(request, { headers });
}

// Set by the server next to the httpOnly refresh cookie, cleared with it: without it no refresh
// can succeed, so a visitor who never signed in is not sent to /refresh for a 401.
const HINT = /(?:^|;\s*)mq_signed_in=1(?:;|$)/;

export function mayHaveSession(): boolean {
  return HINT.test(document.cookie);
}

export function forgetSessionHint(): void {
  document.cookie = "mq_signed_in=; Max-Age=0; path=/; SameSite=Lax";
}

let refreshing: Promise<boolean> | null = null;

export function refreshSession(): Promise<boolean> {
  if (!mayHaveSession()) return Promise.resolve(false);
  refreshing ??= fetch("/v1/session/refresh", {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRF-Token": csrfToken() },
  })
    .then((r) => {
      // A refused refresh clears only the access cookie server-side (one Set-Cookie fits a
      // problem answer); the hint goes here so the next page load does not ask again.
      if (!r.ok) forgetSessionHint();
      return r.ok;
    })
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

async function sessionFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const response = await fetch(prepare(input));
  const path = new URL(input.url).pathname;
  if (response.status !== 401 || path.startsWith("/v1/session")) return response;
  if (!(await refreshSession())) return response;
  return fetch(prepare(retry));
}

export const api = createClient<paths>({
  baseUrl: "",
  credentials: "same-origin",
  fetch: sessionFetch,
});

export function problemOf(error: unknown): Problem | null {
  if (error && typeof error === "object" && "code" in error) return error as Problem;
  return null;
}

/** A fresh key per payment attempt: a double click resends the same key, a retry gets a new one. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
