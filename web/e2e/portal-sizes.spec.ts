// The partner portal and the admin panel on a 375 px phone, a tablet and a 1280 px screen: no
// page scrolls sideways. Wide tables, charts and grids scroll inside their own box; forms stack.
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, PARTNER, signInTo } from "./helpers";

const SIZES = [
  // The phone project runs the phone size (tag @phone); the desktop project runs all three.
  { name: "a 375 px phone @phone", width: 375, height: 812, touch: true },
  { name: "a 768 px tablet", width: 768, height: 1024, touch: true },
  { name: "a 1280 px screen", width: 1280, height: 800, touch: false },
];

/** The page is no wider than the screen, and nothing sticks out of it outside a scroll box. */
async function expectFits(page: Page, name: string) {
  await expect(page.locator("h1").first()).toBeVisible();
  await page.waitForLoadState("networkidle");
  const { scrollWidth, width, outside } = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrolls = (el: Element) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
    const outside: string[] = [];
    for (const el of document.querySelectorAll("main *")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 0.5) continue;
      let p = el.parentElement;
      while (p && p !== document.body && !scrolls(p)) p = p.parentElement;
      if (!p || p === document.body) outside.push(`${el.tagName.toLowerCase()}.${el.className}`);
    }
    return { scrollWidth: document.documentElement.scrollWidth, width, outside: outside.slice(0, 5) };
  });
  expect(outside, `${name}: elements wider than the screen outside a scroll box`).toEqual([]);
  expect(scrollWidth, `${name}: the page scrolls sideways`).toBeLessThanOrEqual(width);
}

for (const size of SIZES) {
  test.describe(size.name, () => {
    test.use({
      viewport: { width: size.width, height: size.height },
      isMobile: size.touch,
      hasTouch: size.touch,
    });

    test("partner portal pages fit the screen", async ({ page }) => {
      await signInTo(page, PARTNER, "/partner");
      await expect(page.getByRole("heading", { name: "Sales dashboard" })).toBeVisible();
      await expectFits(page, "partner dashboard");
      for (const [path, heading] of [
        ["/partner/theatres", "Your theatres"],
        ["/partner/theatres/thr_chennai_marina", "Sales: Marquee Marina"],
        ["/partner/theatres/thr_chennai_marina/schedule", null],
        ["/partner/theatres/new", null],
        ["/partner/theatres/thr_chennai_marina/edit", null],
        ["/partner/screens/scr_chennai_marina_1/layout", "Seat layout: Screen 1"],
      ] as const) {
        await page.goto(path);
        if (heading) await expect(page.getByRole("heading", { name: heading })).toBeVisible();
        await expectFits(page, path);
      }
      if (size.width < 400) {
        // The layout editor's grid is wider than the phone: it scrolls in its own box.
        const grid = page.locator(".layout-scroll").first();
        expect(await grid.evaluate((el) => el.scrollWidth > el.clientWidth)).toBeTruthy();
      }
      // A form's fields stack: each one within the screen.
      await page.goto("/partner/theatres/new");
      for (const box of await page.locator("main input, main select").evaluateAll((els) =>
        els.map((el) => el.getBoundingClientRect().right),
      )) {
        expect(box).toBeLessThanOrEqual(size.width);
      }
    });

    test("admin panel pages fit the screen", async ({ page }) => {
      await signInTo(page, ADMIN, "/admin");
      await expect(page.getByRole("heading", { name: "Sales dashboard" })).toBeVisible();
      await expectFits(page, "admin analytics");
      for (const path of [
        "/admin/conflicts",
        "/admin/dead-letters",
        "/admin/connectors",
        "/admin/connectors/restline",
        "/admin/connectors/restline/mapping",
        "/admin/users",
        "/admin/partners",
        "/admin/audit-log",
        "/admin/bookings",
        "/admin/payments",
        "/admin/flags",
      ]) {
        await page.goto(path);
        await expectFits(page, path);
      }
    });
  });
}
