import { describe, expect, it } from "vitest";
import { currencies, labelEvery, niceMax, paceSeries, revenueByDay } from "./chartData";
import type { BreakdownRow, PacePoint } from "./types";

const row = (key: string, currency: string, revenue: number): BreakdownRow =>
  ({ key, currency, revenue }) as BreakdownRow;
const pace = (days_before: number, tickets: number): PacePoint => ({
  days_before,
  tickets,
  bookings: 1,
  cumulative_tickets: 0,
});

describe("dashboard chart data", () => {
  it("draws every day of the range, a day without sales as zero", () => {
    const rows = [row("2026-12-02", "INR", 500), row("2026-12-04", "INR", 250), row("2026-12-04", "GBP", 9)];
    expect(revenueByDay(rows, "INR", "2026-12-01", "2026-12-05")).toEqual([
      { label: "2026-12-01", value: 0 },
      { label: "2026-12-02", value: 500 },
      { label: "2026-12-03", value: 0 },
      { label: "2026-12-04", value: 250 },
      { label: "2026-12-05", value: 0 },
    ]);
    expect(revenueByDay(rows, "GBP", "2026-12-04", "2026-12-04")).toEqual([{ label: "2026-12-04", value: 9 }]);
    expect(revenueByDay(rows, "INR", "2026-12-05", "2026-12-01")).toEqual([]);
  });

  it("keeps currencies apart", () => {
    expect(currencies([row("d", "INR", 1), row("d", "GBP", 1), row("e", "INR", 1)])).toEqual(["GBP", "INR"]);
  });

  it("fills the pace from the furthest day down to the show day", () => {
    expect(paceSeries([pace(0, 2), pace(3, 4), pace(1, 1)])).toEqual([
      { label: "3d before", value: 4 },
      { label: "2d before", value: 0 },
      { label: "1d before", value: 1 },
      { label: "show day", value: 2 },
    ]);
    expect(paceSeries([])).toEqual([]);
  });

  it("folds sales after the show start into the show day", () => {
    expect(paceSeries([pace(-1, 3), pace(0, 2)])).toEqual([{ label: "show day", value: 5 }]);
  });

  it("ends the axis on a round number at or above the largest value", () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(1)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(180)).toBe(200);
    expect(niceMax(225000)).toBe(250000);
    expect(niceMax(4100)).toBe(5000);
  });

  it("thins bar labels that would overlap", () => {
    expect(labelEvery(7, 700, 60)).toBe(1);
    expect(labelEvery(30, 600, 60)).toBe(3);
    expect(labelEvery(0, 600, 60)).toBe(1);
  });
});
