import { expect, test } from "@playwright/test";
import { checkA11y, shot } from "./helpers";

test("right-to-left: Arabic mirrors the layout, the hall keeps its orientation", async ({ page }) => {
  await page.goto("/");
  await page.getByLabel("City").selectOption("Chennai");
  await page.getByLabel("Language", { exact: true }).selectOption("ar");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.locator("html")).toHaveAttribute("lang", "ar");
  const brand = await page.locator(".brand").boundingBox();
  const nav = await page.locator("header nav").boundingBox();
  expect(brand!.x).toBeGreaterThan(nav!.x); // the brand sits at the inline start: the right
  await expect(page.getByRole("heading", { name: /أفلام في/ })).toBeVisible();
  await checkA11y(page, "home (ar)");
  await shot(page, "rtl-home");
  await page.getByLabel(/ابحث/).fill("Orbit");
  await page.getByRole("link", { name: /Orbit Nine/ }).first().click();
  await page.locator("a.time-btn").first().click();
  await expect(page.locator(".seatmap")).toHaveAttribute("dir", "ltr");
  await checkA11y(page, "seat map (ar)");
  await shot(page, "rtl-seat-map");
  await page.getByLabel("اللغة", { exact: true }).selectOption("en");
});

test("sign-in, sign-up, password reset and movie pages pass axe", async ({ page }) => {
  for (const path of ["/sign-in", "/sign-up", "/forgot-password", "/no-such-page"]) {
    await page.goto(path);
    await expect(page.locator("h1")).toBeVisible();
    await checkA11y(page, path);
    await shot(page, `page${path.replaceAll("/", "-")}`);
  }
  await page.goto("/movies/mov_kaala_vettai");
  await expect(page.getByRole("heading", { name: "Show times" })).toBeVisible();
  await checkA11y(page, "movie");
  await shot(page, "movie");
});

test("search finds a title in another language", async ({ page }) => {
  await page.goto("/");
  await page.getByLabel("City").selectOption("Chennai");
  await page.getByLabel(/Search titles/).fill("காலா");
  // Found by its Tamil title, shown with its English one (the interface is in English).
  await expect(page.getByRole("link", { name: /The Dark Hunt/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /Orbit Nine/ })).toHaveCount(0);
});
