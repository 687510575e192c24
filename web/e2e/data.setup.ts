import { expect, test as setup } from "@playwright/test";

// A partner theatre for the browser tests, made through the partner API like a real theatre:
// a 400-seat screen (16 rows x 25 seats, an aisle after seat 12), one-minute holds (the expiry
// test) and the no-orphan-seat rule.
import { bearer, PARTNER } from "./helpers";
import { BIG_SHOW, CITY, RACE_SHOW } from "./ids";

const ROWS = "ABCDEFGHJKLMNOPQ";

function layout() {
  const rows = [...ROWS].map((name, r) => ({
    name,
    index: r,
    seats: Array.from({ length: 25 }, (_, i) => {
      const column = i < 12 ? i : i + 1; // column 12 is the aisle
      return {
        id: `${name}${i + 1}`,
        label: `${name}${i + 1}`,
        position: { area: 0, row: r, column },
        category: r >= 12 ? "premium" : "standard",
      };
    }),
  }));
  return { categories: ["standard", "premium"], areas: [{ number: 0, rows }] };
}

setup("partner theatre with a 400-seat screen", async ({ request }) => {
  const headers = await bearer(request, PARTNER);
  const ok = (status: number) => status < 300 || status === 409;
  const theatre = await request.post("/v1/partner/theatres", {
    headers,
    data: {
      id: "thr_e2e_big",
      name: "Test Grand",
      city: CITY,
      country: "IN",
      timezone: "Asia/Kolkata",
      currency: "INR",
      address: "1 Test Road",
      rules: { hold_ttl_seconds: 60, no_orphan_seats: true, max_seats_per_hold: 6 },
    },
  });
  expect(ok(theatre.status()), await theatre.text()).toBeTruthy();
  const screen = await request.post("/v1/partner/theatres/thr_e2e_big/screens", {
    headers,
    data: { id: "scr_e2e_big", name: "Screen 1", formats: ["2D"] },
  });
  expect(ok(screen.status()), await screen.text()).toBeTruthy();
  const put = await request.put("/v1/partner/screens/scr_e2e_big/layout", { headers, data: layout() });
  expect(put.ok(), await put.text()).toBeTruthy();
  const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  for (const [id, time] of [
    [BIG_SHOW, "10:00"],
    [RACE_SHOW, "14:00"],
  ]) {
    const show = await request.post("/v1/partner/theatres/thr_e2e_big/shows", {
      headers,
      data: {
        id,
        screen_id: "scr_e2e_big",
        movie_id: "mov_orbit_nine",
        start: `${day}T${time}:00+05:30`,
        language: "en",
      },
    });
    expect(ok(show.status()), await show.text()).toBeTruthy();
    const prices = await request.put(`/v1/partner/shows/${id}/prices`, {
      headers,
      data: {
        ticket_types: [
          { code: "ADULT", name: "Adult", category: "standard", price: { amount: 20000, currency: "INR" } },
          { code: "CHILD", name: "Child", category: "standard", price: { amount: 12000, currency: "INR" } },
          { code: "ADULT", name: "Adult", category: "premium", price: { amount: 30000, currency: "INR" } },
        ],
      },
    });
    expect(prices.ok(), await prices.text()).toBeTruthy();
  }
});
