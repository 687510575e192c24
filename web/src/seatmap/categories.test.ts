import { describe, expect, it } from "vitest";
import { translate, type Language } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { CATEGORY_SLOTS, categoryName, categoryViews, colourStyle, readableCode } from "./categories";

const tr = (lang: Language) => (key: MessageKey, values?: Record<string, string | number>) =>
  translate(lang, key, values);
const price = (amount: number) => ({ amount, currency: "INR" });
const seat = (id: string, category: string) => ({
  id,
  label: id,
  row: "A",
  area: 0,
  row_index: 0,
  column: Number(id.slice(1)),
  category,
  status: "available",
  flags: [],
  group: null,
});

describe("seat categories", () => {
  it("legacy codes read as their display names, in sort order, each with its own style", () => {
    const views = categoryViews(
      {
        categories: {
          "0000000001": { ticket_type: "ADULT", name: "Adult", category: "0000000001", price: price(25000) },
          "0000000002": { ticket_type: "ADULT", name: "Adult", category: "0000000002", price: price(18000) },
        },
        category_labels: [
          { code: "0000000001", name: "Gold", sort_order: 2 },
          { code: "0000000002", name: "Silver", sort_order: 1 },
        ],
        seats: [seat("A1", "0000000001"), seat("A2", "0000000002")],
      },
      tr("en"),
    );
    expect(views.map((v) => [v.code, v.name, v.price?.amount])).toEqual([
      ["0000000002", "Silver", 18000],
      ["0000000001", "Gold", 25000],
    ]);
    expect(new Set(views.map((v) => v.slot)).size).toBe(2);
  });

  it("a theatre's colour goes with its category and fills its seats; others keep the palette", () => {
    const views = categoryViews(
      {
        categories: { standard: null, premium: null },
        category_labels: [
          { code: "standard", name: "Classic", sort_order: 1, colour: "#336699" },
          { code: "premium", name: "Premium", sort_order: 2, colour: null },
        ],
        seats: [seat("A1", "standard"), seat("A2", "premium")],
      },
      tr("en"),
    );
    expect(views.map((v) => [v.code, v.colour])).toEqual([
      ["standard", "#336699"],
      ["premium", null],
    ]);
    expect(colourStyle(views[0].colour)).toEqual({ "--cat-fill": "#336699", "--cat-ink": "#ffffff" });
    expect(colourStyle(views[1].colour)).toBeUndefined();
  });

  it("a code with no label and no price still gets a readable name and a style", () => {
    const views = categoryViews(
      { categories: { standard: null }, category_labels: [], seats: [seat("A1", "standard"), seat("A2", "0000000007")] },
      tr("en"),
    );
    expect(views.map((v) => [v.name, v.price])).toEqual([
      ["Standard", null],
      ["Category 7", null],
    ]);
    expect(views.every((v) => v.slot >= 0 && v.slot < CATEGORY_SLOTS)).toBe(true);
  });

  it("the server's English fallback is said in the interface language; chosen names stay", () => {
    expect(readableCode("0000000003")).toBe("Category 3");
    expect(readableCode("premium_plus")).toBe("Premium plus");
    expect(categoryName("0000000003", "Category 3", tr("ar"))).toBe("الفئة 3");
    expect(categoryName("0000000003", "Category 3", tr("hi"))).toBe("श्रेणी 3");
    expect(categoryName("premium", "Premium", tr("ta"))).toBe("பிரீமியம்");
    expect(categoryName("0000000001", "Gold", tr("ar"))).toBe("Gold");
    expect(categoryName("standard", "Main", tr("ar"))).toBe("Main");
    expect(categoryName("LOGE", "LOGE", tr("ar"))).toBe("LOGE");
  });
});
