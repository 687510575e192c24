import { describe, expect, it } from "vitest";
import { elementLocale, waitForBooking } from "./stripePayment";

function clock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

describe("waiting for the webhook to confirm a paid booking", () => {
  it("returns as soon as the booking is confirmed", async () => {
    const answers = ["pending", "pending", "confirmed"];
    const c = clock();
    const asked: number[] = [];
    const state = await waitForBooking(
      async () => {
        asked.push(c.now());
        return answers.shift() ?? "pending";
      },
      { ...c, intervalMs: 1000 },
    );
    expect(state).toBe("confirmed");
    expect(asked).toEqual([0, 1000, 2000]);
  });

  it("reports a failed or cancelled booking at once", async () => {
    expect(await waitForBooking(async () => "failed", clock())).toBe("failed");
    expect(await waitForBooking(async () => "cancelled", clock())).toBe("failed");
  });

  it("gives up after the timeout, asking again after lost answers", async () => {
    const c = clock();
    let calls = 0;
    const state = await waitForBooking(
      async () => {
        calls += 1;
        if (calls % 2) throw new Error("network");
        return "pending";
      },
      { ...c, timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect(state).toBe("timeout");
    expect(c.now()).toBe(60_000);
    expect(calls).toBe(61);
  });
});

describe("Stripe Element language", () => {
  it("speaks Arabic and English, English for the interface languages Stripe lacks", () => {
    expect(elementLocale("ar")).toBe("ar");
    expect(elementLocale("en")).toBe("en");
    expect(elementLocale("hi")).toBe("en");
    expect(elementLocale("ta")).toBe("en");
  });
});
