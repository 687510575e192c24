import { describe, expect, it } from "vitest";
import { formatDateTime, formatMoney } from "../api/money";
import { en, type MessageKey } from "./en";
import { dirOf, genreName, interpolate, LANGUAGES, translate } from "./index";

describe("interface text", () => {
  it("interpolates values and falls back to English for a missing key", () => {
    expect(interpolate("Hold {count} seats", { count: 3 })).toBe("Hold 3 seats");
    expect(translate("ta", "seat.hold", { count: 2 })).toBe("2 இருக்கைகளைப் பிடி");
  });

  it("every translation keeps the placeholders of the English text", () => {
    const holes = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const { code } of LANGUAGES) {
      for (const key of Object.keys(en) as MessageKey[]) {
        expect(holes(translate(code, key)), `${code} ${key}`).toEqual(holes(en[key]));
      }
    }
  });

  it("says genres in the interface language, whatever language the POS used", () => {
    expect(genreName("Action", "ar")).toBe("حركة");
    expect(genreName("Sci-Fi", "hi")).toBe("साइंस फ़िक्शन");
    expect(genreName("Komödie", "ta")).toBe("நகைச்சுவை");
    expect(genreName("Familie", "en")).toBe("Family");
    expect(genreName("Neo-noir", "ar")).toBe("Neo-noir"); // no word for it: as it came
  });

  it("knows which languages are written right to left", () => {
    expect(dirOf("ar")).toBe("rtl");
    expect(dirOf("hi")).toBe("ltr");
  });
});

describe("money and dates", () => {
  it("formats minor units in the currency's own precision", () => {
    expect(formatMoney({ amount: 25000, currency: "INR" }, "en-IN")).toBe("₹250.00");
    expect(formatMoney({ amount: 1500, currency: "JPY" }, "en")).toBe("¥1,500");
    expect(formatMoney({ amount: 123456, currency: "GBP" }, "en-GB")).toBe("£1,234.56");
  });

  it("shows a show's time in the theatre's time zone, not the browser's", () => {
    const start = "2026-12-05T04:30:00Z";
    expect(formatDateTime(start, "Asia/Kolkata", "en", { timeStyle: "short" })).toBe("10:00 AM");
    expect(formatDateTime(start, "Europe/London", "en", { timeStyle: "short" })).toBe("4:30 AM");
  });
});
