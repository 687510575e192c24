// A partner schedules a week of shows on a screen, sees an overlapping show refused, prices
// several shows at once and cancels one after its preview.
import { expect, test } from "@playwright/test";
import { bearer, checkA11y, PARTNER, shot, signInTo } from "./helpers";

function layout() {
  const seats = Array.from({ length: 8 }, (_, i) => ({
    id: `A${i + 1}`,
    label: `A${i + 1}`,
    position: { area: 0, row: 0, column: i },
    category: i < 4 ? "standard" : "premium",
  }));
  return {
    categories: ["standard", "premium"],
    areas: [{ number: 0, name: "Stalls", category: "standard", rows: [{ name: "A", index: 0, seats }] }],
  };
}

test("a partner schedules a week, prices many shows at once and cancels one", async ({ page, request }) => {
  const auth = await bearer(request, PARTNER);
  const screenId = `scr_week_${Date.now()}`;
  expect(
    (
      await request.post("/v1/partner/theatres/thr_chennai_adyar/screens", {
        headers: auth,
        data: { id: screenId, name: `Week ${screenId.slice(-5)}`, formats: ["2D"] },
      })
    ).status(),
  ).toBe(201);
  expect((await request.put(`/v1/partner/screens/${screenId}/layout`, { headers: auth, data: layout() })).status()).toBe(200);

  await signInTo(page, PARTNER, "/partner/theatres/thr_chennai_adyar/schedule");
  await expect(page.getByRole("heading", { name: "Schedule: Marquee Adyar" })).toBeVisible();
  await page.getByLabel("Screen").selectOption(screenId);

  const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel("Price standard").fill("150");
  await page.getByLabel("Price premium").fill("220");
  await page.getByLabel("Start time").fill("19:00");
  await page.getByLabel("First day").fill(day(1));
  await page.getByLabel("Last day").fill(day(7));
  await page.getByRole("button", { name: "Schedule", exact: true }).click();
  await expect(page.getByText(/: scheduled$/)).toHaveCount(7);

  // The same slot again overlaps: refused, and said why.
  await page.getByLabel("Start time").fill("19:30");
  await page.getByLabel("Last day").fill(day(1));
  await page.getByRole("button", { name: "Schedule", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText(/overlap|cleaning/i);

  const mine: { id: string; screen_id: string; prices: { price: { amount: number } }[] }[] = [];
  let cursor = "";
  do {
    const listed = await (
      await request.get("/v1/partner/theatres/thr_chennai_adyar/shows", {
        headers: auth,
        params: cursor ? { limit: 100, cursor } : { limit: 100 },
      })
    ).json();
    mine.push(...listed.items.filter((s: { screen_id: string }) => s.screen_id === screenId));
    cursor = listed.next_cursor ?? "";
  } while (cursor);
  expect(mine).toHaveLength(7);
  expect(mine[0].prices.map((p: { price: { amount: number } }) => p.price.amount).sort()).toEqual([15000, 22000]);

  // Prices for several shows at once (the week shown holds some of them).
  await page.getByLabel("Price standard").fill("175");
  const boxes = page.getByRole("checkbox", { name: /^Select shw_/ });
  const visible = await boxes.count();
  expect(visible).toBeGreaterThan(0);
  for (let i = 0; i < visible; i++) await boxes.nth(i).check();
  await page.getByRole("button", { name: /Set prices of selected shows/ }).click();
  await expect(page.getByText(/: prices set$/)).toHaveCount(visible);
  await checkA11y(page, "schedule");
  await shot(page, "schedule");

  // Cancel one show: the preview says nothing is sold, so it may go.
  await page.getByRole("button", { name: "Cancel…" }).first().click();
  await expect(page.getByText("0 live booking(s), 0 ticket(s), 0 customer(s) to notify.")).toBeVisible();
  await page.getByRole("button", { name: "Confirm cancellation" }).click();
  await expect(page.getByText(/ cancelled$/)).toBeVisible();
});
