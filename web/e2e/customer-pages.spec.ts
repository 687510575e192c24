import { expect, test, type Page } from "@playwright/test";
import { BIG_SHOW } from "./ids";
import { checkA11y, shot, signUp, uniqueEmail } from "./helpers";

async function csrf(page: Page): Promise<string> {
  return (await page.context().cookies()).find((c) => c.name === "mq_csrf")?.value ?? "";
}

/** Books seats through the API as the signed-in customer of `page`. */
async function book(page: Page, showId: string, seats: string[]): Promise<void> {
  const headers = { "X-CSRF-Token": await csrf(page) };
  const hold = await page.request.post("/v1/holds", { data: { show_id: showId, seat_ids: seats }, headers });
  expect(hold.status(), await hold.text()).toBe(201);
  const paid = await page.request.post("/v1/checkout", {
    data: { hold_id: (await hold.json()).id, payment: { card_number: "4242424242424242" } },
    headers: { ...headers, "Idempotency-Key": crypto.randomUUID() },
  });
  expect(paid.status(), await paid.text()).toBe(201);
}

test("my bookings fit a 375 px phone and say movie, theatre, screen and show time @phone", async ({
  page,
}, info) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await signUp(page, uniqueEmail(`mine-${info.project.name}`));
  const seats = info.project.name === "phone" ? ["P7", "P8"] : ["P3", "P4"];
  await book(page, BIG_SHOW, seats);
  const show = await (await page.request.get(`/v1/storefront/shows/${BIG_SHOW}`)).json();
  await page.getByRole("link", { name: "My bookings" }).first().click();
  const card = page.getByTestId("booking-card").first();
  await expect(card.getByRole("heading", { level: 2 })).toHaveText(show.movie.title);
  await expect(card).toContainText(show.theatre.name);
  await expect(card).toContainText(show.show.screen_name);
  await expect(card).toContainText(seats.join(", "));
  const when = new Intl.DateTimeFormat("en", {
    timeZone: show.theatre.timezone,
    hour: "numeric",
    minute: "2-digit",
  }).format(new Date(show.show.start));
  await expect(card.locator("time")).toContainText(when);
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, "no horizontal scrolling on a phone").toBeLessThanOrEqual(0);
  await shot(page, `${info.project.name}-my-bookings-375`);
  await checkA11y(page, "my bookings (375 px)");
});

test("show times at the same hour say which screen, format and language they are", async ({ page }) => {
  await page.goto("/");
  await page.getByLabel("City").selectOption("Chennai");
  await page.goto("/movies/mov_kaala_vettai");
  await expect(page.getByRole("heading", { name: "Show times" })).toBeVisible();
  const buttons = page.getByTestId("show-button");
  await expect(buttons.first()).toBeVisible();
  const shows = await buttons.evaluateAll((links) =>
    links.map((a) => ({
      theatre: a.closest("section")?.querySelector("h3")?.textContent ?? "",
      day: a.closest("div.stack")?.querySelector("h4")?.textContent ?? "",
      time: a.querySelector("span")?.textContent ?? "",
      text: (a as HTMLElement).innerText,
    })),
  );
  const byTime = new Map<string, typeof shows>();
  for (const s of shows) {
    const key = `${s.theatre}|${s.day}|${s.time}`;
    byTime.set(key, [...(byTime.get(key) ?? []), s]);
  }
  const shared = [...byTime.values()].filter((group) => group.length > 1);
  expect(shared.length, "demo: two screens of one theatre start the film at the same time").toBeGreaterThan(0);
  for (const group of shared) {
    expect(new Set(group.map((s) => s.text)).size, JSON.stringify(group)).toBe(group.length);
  }
  expect(shows[0].text).toMatch(/Screen|Audi|Hall/i);
  expect(shows[0].text).toContain("Tamil");
  // What a screen reader announces (the link's accessible name) differs too.
  const names = await Promise.all((await buttons.all()).map((b) => b.ariaSnapshot()));
  for (const group of shared) {
    const heard = group.map((s) => names[shows.indexOf(s)]);
    expect(new Set(heard).size, heard.join(" | ")).toBe(group.length);
  }
  await checkA11y(page, "movie show times");
});

test("Arabic: the show line reads in order, genres and unnamed seat categories are translated", async ({
  page,
}) => {
  await page.goto("/");
  await page.getByLabel("City").selectOption("Chennai");
  await page.getByLabel("Language", { exact: true }).selectOption("ar");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  // Genres in the app's own words ("Action" is "حركة").
  await expect(page.locator(".movie-card").first()).toContainText(/حركة|دراما|خيال علمي|إثارة|رومانسي|مغامرة/);
  await expect(page.locator(".movie-card").filter({ hasText: /\bAction\b|\bDrama\b/ })).toHaveCount(0);

  await page.goto(`/shows/${BIG_SHOW}`);
  const line = page.getByTestId("show-line");
  await expect(line).toBeVisible();
  // Every part isolated, and in a right-to-left page the first part sits rightmost.
  const parts = line.locator(":scope > bdi");
  await expect(parts).toHaveCount(4);
  const xs = await parts.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right));
  for (let i = 1; i < xs.length; i++) expect(xs[i], `part ${i} left of part ${i - 1}`).toBeLessThan(xs[i - 1]);
  await expect(parts.nth(0)).toHaveText("Test Grand");
  // The date and time in one isolated piece, as Intl writes it for Arabic.
  const show = await (await page.request.get(`/v1/storefront/shows/${BIG_SHOW}`)).json();
  const expected = await page.evaluate(
    ([start, tz]) => new Intl.DateTimeFormat("ar", { dateStyle: "medium", timeStyle: "short", timeZone: tz }).format(new Date(start)),
    [show.show.start, show.theatre.timezone],
  );
  await expect(parts.nth(2)).toHaveText(expected);
  // Categories no one named ("standard", "premium") in Arabic, with prices.
  const legend = page.getByTestId("category-legend");
  await expect(legend).toContainText("عادي");
  await expect(legend).toContainText("مميز");
  await expect(legend).not.toContainText(/Standard|Premium/);
  await shot(page, "rtl-show-line");
  await checkA11y(page, "seat map (ar)");
  await page.getByLabel("اللغة", { exact: true }).selectOption("en");
});
