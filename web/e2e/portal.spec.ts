// Partner portal and admin panel in the browser, against the real API (e2e/serve.sh: SQLite,
// demo data, in-process outbox worker feeding analytics).
import { expect, test } from "@playwright/test";
import { ADMIN, bearer, checkA11y, CUSTOMER, PARTNER, shot, signInTo } from "./helpers";

function range() {
  const today = new Date();
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const from = new Date(today);
  from.setUTCDate(from.getUTCDate() - 6);
  const to = new Date(today);
  to.setUTCDate(to.getUTCDate() + 7);
  return { date_from: iso(from), date_to: iso(to) };
}

test("a customer's purchase appears on the partner's dashboard, with the API's numbers", async ({
  page,
  request,
}) => {
  const customer = await bearer(request, CUSTOMER);
  const partner = await bearer(request, PARTNER);
  const q = range();
  const before = await (
    await request.get("/v1/partner/analytics/summary", { headers: partner, params: q })
  ).json();

  // The customer buys two seats in Chennai tomorrow.
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const shows = await (
    await request.get("/v1/shows", { params: { theatre_id: "thr_chennai_marina", date: tomorrow } })
  ).json();
  const show = shows.items[0];
  const hold = await request.post("/v1/holds", { headers: customer, data: { show_id: show.id, count: 2 } });
  expect(hold.status(), await hold.text()).toBe(201);
  const paid = await request.post("/v1/checkout", {
    headers: customer,
    data: { hold_id: (await hold.json()).id, payment: { card_number: "4242424242424242" } },
  });
  expect(paid.status(), await paid.text()).toBe(201);

  // The in-process worker delivers the outbox to analytics within a few seconds.
  await expect
    .poll(
      async () =>
        (await (await request.get("/v1/partner/analytics/summary", { headers: partner, params: q })).json())
          .counts.bookings,
      { timeout: 20_000 },
    )
    .toBe(before.counts.bookings + 1);
  const api = await (
    await request.get("/v1/partner/analytics/summary", { headers: partner, params: q })
  ).json();

  await signInTo(page, PARTNER, "/partner");
  await expect(page.getByRole("heading", { name: "Sales dashboard" })).toBeVisible();
  await expect(page.getByTestId("kpi-bookings")).toHaveText(String(api.counts.bookings));
  await expect(page.getByTestId("kpi-tickets")).toHaveText(String(api.counts.tickets));
  const inr = api.money.find((m: { currency: string }) => m.currency === "INR");
  await expect(page.getByTestId("kpi-revenue-INR")).toContainText(
    new Intl.NumberFormat("en", { maximumFractionDigits: 2 }).format(inr.revenue / 100),
  );
  await expect(page.getByRole("table", { name: "Occupancy per show" })).toBeVisible();
  // Names, not ids: the heat map, the movie and screen tables say what people call them.
  const [row] = await (
    await request.get("/v1/partner/analytics/shows", { headers: partner, params: { ...q, show_id: show.id } })
  ).json();
  const heat = page.getByRole("table", { name: "Occupancy per show" });
  await expect(heat).toContainText(row.screen_name);
  await expect(heat).toContainText(row.movie_title);
  await expect(heat).not.toContainText(row.screen_id);
  const perMovie = page.locator("section.card", { has: page.getByRole("heading", { name: "Per movie" }) });
  await expect(perMovie).toContainText(row.movie_title);
  await expect(perMovie).not.toContainText(row.movie_id);
  const perScreen = page.locator("section.card", { has: page.getByRole("heading", { name: "Per screen" }) });
  await expect(perScreen).toContainText(row.screen_name);
  await expect(perScreen).not.toContainText(row.screen_id);
  // Funnel shares are of one base step and never above 100 %.
  const shares = await page.locator("table.funnel tbody td:nth-child(3)").allInnerTexts();
  expect(shares.length).toBe(5);
  for (const share of shares.filter((t) => t.includes("%"))) expect(parseFloat(share)).toBeLessThanOrEqual(100);
  // The charts draw one bar per day of the range and per day before the show, with labels.
  const revenue = page.getByRole("figure").filter({ hasText: "Revenue per day (INR)" });
  await expect(revenue.locator("svg rect")).toHaveCount(14);
  await expect(revenue.locator("svg text.bar-label").first()).toBeVisible();
  const pace = page.getByRole("figure").filter({ hasText: "Booking pace" });
  expect(await pace.locator("svg rect").count()).toBeGreaterThan(0);
  await shot(page, "partner-dashboard");
  await checkA11y(page, "partner dashboard");

  // The CSV export holds the same day rows the API reports.
  const csv = await page.request.get(
    `/v1/partner/analytics/breakdown.csv?by=day&date_from=${q.date_from}&date_to=${q.date_to}`,
  );
  expect(csv.ok()).toBeTruthy();
  const lines = (await csv.text()).trim().split("\n");
  expect(lines[0].startsWith("key,currency,show_views")).toBeTruthy();

  await page.getByRole("link", { name: "Theatres" }).click();
  await page.getByRole("link", { name: "Sales of Marquee Marina" }).click();
  await expect(page.getByRole("heading", { name: "Sales: Marquee Marina" })).toBeVisible();
  await checkA11y(page, "partner theatre dashboard");
});

test("partner B cannot open partner A's theatre by URL", async ({ page, request }) => {
  const admin = await bearer(request, ADMIN);
  const suffix = `${Date.now()}`;
  const partnerId = `prt_b_${suffix}`;
  const created = await request.post("/v1/admin/partners", {
    headers: admin,
    data: { id: partnerId, name: `B Cinemas ${suffix}` },
  });
  expect(created.status(), await created.text()).toBe(201);
  const email = `staff-${suffix}@b-cinemas.example`;
  const user = await request.post("/v1/admin/users", {
    headers: admin,
    data: { email, password: "a long passphrase", role: "partner", partner_id: partnerId, name: "B staff" },
  });
  expect(user.status(), await user.text()).toBe(201);

  await signInTo(page, { email, password: "a long passphrase" }, "/partner/theatres/thr_chennai_marina");
  await expect(page.getByTestId("not-found")).toBeVisible();
  await page.goto("/partner");
  await expect(page.getByTestId("kpi-bookings")).toHaveText("0");
  // A partner is not an admin.
  await page.goto("/admin");
  await expect(page.getByText("This area is for Marquee staff.")).toBeVisible();

  // B adds its own theatre with its sales rules, then a screen.
  const theatreId = `thr_b_${suffix}`;
  await page.goto("/partner/theatres/new");
  await page.getByLabel("Id").fill(theatreId);
  await page.getByLabel("Name").fill("B Central");
  await page.getByLabel("City").fill("Pune");
  await page.getByLabel("Hold time (seconds)").fill("600");
  await page.getByLabel("Cancellation fee (%)").fill("10");
  await page.getByRole("button", { name: "Save theatre" }).click();
  await expect(page.getByRole("heading", { name: "Theatre: B Central" })).toBeVisible();
  await checkA11y(page, "theatre form");
  await page.getByLabel("Screen id").fill(`scr_b_${suffix}`);
  await page.getByLabel("Screen name").fill("Screen 1");
  await page.getByRole("button", { name: "Add screen" }).click();
  await expect(page.getByText("Screen Screen 1 added.")).toBeVisible();
  const settings = await (await page.request.get(`/v1/partner/theatres/${theatreId}/settings`)).json();
  expect([settings.rules.hold_ttl_seconds, settings.rules.cancellation.fee_percent]).toEqual([600, 10]);
});

test("the admin panel lists conflicts and dead letters and shows analytics for all", async ({ page }) => {
  await signInTo(page, ADMIN, "/admin");
  await expect(page.getByRole("heading", { name: "Sales dashboard" })).toBeVisible();
  await checkA11y(page, "admin analytics");
  await page.getByRole("link", { name: "Sync conflicts" }).click();
  await expect(page.getByRole("heading", { name: "Sync conflicts" })).toBeVisible();
  await checkA11y(page, "admin conflicts");
  await page.getByRole("link", { name: "Dead letters" }).click();
  await expect(page.getByRole("heading", { name: "Dead letters" })).toBeVisible();
  await checkA11y(page, "admin dead letters");
  await shot(page, "admin-dead-letters");
  for (const [link, heading] of [
    ["Connectors", "Connectors"],
    ["Users", "Users and roles"],
    ["Audit log", "Audit log"],
  ]) {
    await page.getByRole("link", { name: link, exact: true }).click();
    await expect(page.getByRole("heading", { name: heading })).toBeVisible();
    await checkA11y(page, `admin ${link}`);
  }
  await page.getByRole("link", { name: "Users", exact: true }).click();
  await page.getByLabel("Role").selectOption("partner");
  await expect(page.getByRole("cell", { name: "prt_demo" }).first()).toBeVisible();

  // Onboarding a partner with its first staff account.
  const stamp = Date.now();
  await page.getByRole("link", { name: "Partners", exact: true }).click();
  await page.getByLabel("Partner id").fill(`prt_onboard_${stamp}`);
  await page.getByLabel("Partner name").fill(`Onboard ${stamp}`);
  await page.getByLabel("Staff e-mail").fill(`staff-${stamp}@onboard.example`);
  await page.getByLabel("First password").fill("a long passphrase");
  await page.getByRole("button", { name: "Onboard", exact: true }).click();
  await expect(page.getByText(`Onboard ${stamp} onboarded;`)).toBeVisible();
  await expect(page.getByRole("heading", { name: `Onboard ${stamp}` })).toBeVisible();
  await checkA11y(page, "admin partners");

  // Bookings search, payments needing attention.
  await page.getByRole("link", { name: "Bookings", exact: true }).click();
  await expect(page.getByRole("table", { name: "Bookings found" })).toBeVisible();
  await checkA11y(page, "admin bookings");
  await page.getByRole("link", { name: "Payments", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Payments needing attention" })).toBeVisible();
  await checkA11y(page, "admin payments");

  // A regional release: on in India, off in Chennai.
  const flag = `e2e_flag_${Date.now()}`;
  await page.getByRole("link", { name: "Feature flags" }).click();
  await page.getByRole("textbox", { name: "Flag" }).fill(flag);
  await page.getByLabel("Scope").selectOption("country");
  await page.getByLabel("Country code").fill("IN");
  await page.getByRole("button", { name: "Save flag" }).click();
  await expect(page.getByText(`${flag} saved.`)).toBeVisible();
  await page.getByLabel("Scope").selectOption("city");
  await page.getByLabel("City").fill("Chennai");
  await page.getByLabel("State").selectOption("off");
  await page.getByRole("button", { name: "Save flag" }).click();
  await expect(page.getByRole("table", { name: "Flags" })).toContainText("Chennai");
  await checkA11y(page, "admin flags");
  const pune = await (await page.request.get("/v1/flags?city=Pune&country=IN")).json();
  const chennai = await (await page.request.get("/v1/flags?city=Chennai&country=IN")).json();
  expect([pune[flag], chennai[flag]]).toEqual([true, false]);
});
