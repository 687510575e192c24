// What the dashboard charts draw, computed apart from the drawing so it can be tested: every
// day of the range (a day without sales is a zero bar, not a missing one), every day before the
// show in the pace, and an axis that ends on a round number.
import { addDays } from "./analytics";
import type { BreakdownRow, PacePoint } from "./types";

export type Point = { label: string; value: number };

/** Revenue per day for one currency, one bar per day from `from` to `to` inclusive. */
export function revenueByDay(rows: BreakdownRow[], currency: string, from: string, to: string): Point[] {
  const byDay = new Map<string, number>();
  for (const r of rows) if (r.currency === currency) byDay.set(r.key, (byDay.get(r.key) ?? 0) + r.revenue);
  const out: Point[] = [];
  if (!from || !to || from > to) return out;
  // A range longer than the API allows is not drawn day by day.
  for (let day = from, n = 0; day <= to && n < 400; day = addDays(day, 1), n++) {
    out.push({ label: day, value: byDay.get(day) ?? 0 });
  }
  return out;
}

/** Currencies present in a breakdown, sorted: money is drawn per currency, never summed. */
export function currencies(rows: BreakdownRow[]): string[] {
  return [...new Set(rows.map((r) => r.currency))].sort();
}

/** Tickets by days before the show, from the furthest day with sales down to the show day,
 * days without sales included; days after the show (late corrections) fold into day 0. */
export function paceSeries(points: PacePoint[]): Point[] {
  if (!points.length) return [];
  const tickets = new Map<number, number>();
  for (const p of points) {
    const d = Math.max(0, Math.round(p.days_before));
    tickets.set(d, (tickets.get(d) ?? 0) + p.tickets);
  }
  const furthest = Math.max(...tickets.keys());
  const out: Point[] = [];
  for (let d = furthest; d >= 0; d--) {
    out.push({ label: d === 0 ? "show day" : `${d}d before`, value: tickets.get(d) ?? 0 });
  }
  return out;
}

/** The axis maximum: the smallest 1, 2, 2.5 or 5 times a power of ten at or above the largest
 * value (at least 1, so an all-zero chart still has an axis). */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** Which bar labels to print so that they do not overlap: every k-th, the last one always. */
export function labelEvery(count: number, width: number, labelWidth: number): number {
  if (count <= 0) return 1;
  return Math.max(1, Math.ceil((count * labelWidth) / Math.max(width, 1)));
}
