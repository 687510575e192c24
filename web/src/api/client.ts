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

let refreshing: Promise<boolean> | null = null;

export function refreshSession(): Promise<boolean> {
  refreshing ??= fetch("/v1/session/refresh", {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRF-Token": csrfToken() },
  })
    .then((r) => r.ok)
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
