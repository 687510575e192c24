// Reads the analytics API through the generated client; the partner and the admin areas ask
// the same endpoints under their own prefix (a partner's answers cover its own theatres only).
import { api, problemOf } from "../api/client";
import type { paths } from "../api/schema";

export type Area = "partner" | "admin";
export type Query = Record<string, string | undefined>;

export class NotFound extends Error {}

export async function read<T>(area: Area, endpoint: string, query: Query): Promise<T> {
  const path = `/v1/${area}/analytics/${endpoint}` as keyof paths;
  const clean = Object.fromEntries(Object.entries(query).filter(([, v]) => v));
  // The path is one of the analytics GET routes, all of which take the same query parameters.
  const { data, error, response } = await (api.GET as (p: string, o: object) => Promise<{
    data?: unknown;
    error?: unknown;
    response: Response;
  }>)(path, { params: { query: clean } });
  if (response.status === 404) throw new NotFound(problemOf(error)?.detail ?? "not found");
  if (error || data === undefined) throw new Error(problemOf(error)?.detail ?? "request failed");
  return data as T;
}

export function csvHref(area: Area, endpoint: string, query: Query): string {
  const clean = Object.entries(query).filter(([, v]) => v) as [string, string][];
  return `/v1/${area}/analytics/${endpoint}?${new URLSearchParams(clean).toString()}`;
}

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return isoDay(d);
}
