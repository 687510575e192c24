import { expect, test, type Page } from "@playwright/test";
import { BIG_SHOW } from "./ids";
import { checkA11y, shot, signIn, signUp, uniqueEmail } from "./helpers";

/** A show of a legacy-POS theatre whose seats carry numeric category codes. */
async function legacyCodedShow(page: Page): Promise<string> {
  const theatres = (await (await page.request.get("/v1/theatres?limit=100")).json()).items as {
    id: string;
    legacy: boolean;
  }[];
  for (const theatre of theatres.filter((t) => t.legacy)) {
    const shows = (await (await page.request.get(`/v1/shows?theatre_id=${theatre.id}&limit=1`)).json())
      .items as { id: string }[];
    if (!shows.length) continue;
    const map = await (await page.request.get(`/v1/shows/${shows[0].id}/seat-map`)).json();
    if (map.seats.some((s: { category: string }) => /^\d+$/.test(s.category))) return shows[0].id;
  }
  throw new Error("the demo imports a legacy theatre with numeric seat category codes");
}

test("seat categories: display names, a legend with prices, a colour and a pattern each @phone", async ({
  page,
}, info) => {
  const showId = await legacyCodedShow(page);
  const map = await (await page.request.get(`/v1/shows/${showId}/seat-map`)).json();
  const labels = map.category_labels as { code: string; name: string }[];
  expect(labels.length).toBeGreaterThan(1);
  await page.goto(`/shows/${showId}`);
  const legend = page.getByTestId("category-legend");
  await expect(legend.locator("li")).toHaveCount(labels.length);
  for (const label of labels) {
    const item = legend.locator(`li[data-category="${label.code}"]`);
    await expect(item).toContainText(label.name);
    await expect(item).toContainText("₹");
  }
  // No raw legacy code anywhere a customer reads or hears.
  await expect(page.locator("main")).not.toContainText(/\b0{5,}\d+\b/);
  const first = page.locator(`button.seat[data-category="${labels[0].code}"]`).first();
  await expect(first).toHaveAttribute("aria-label", new RegExp(`, ${labels[0].name}, `));
  // Each category its own border colour and its own pattern (not colour alone).
  const looks = await page.evaluate(
    (codes) =>
      codes.map((code) => {
        const seat = document.querySelector(`button.seat.st-available[data-category="${code}"]`)!;
        const style = getComputedStyle(seat);
        return `${style.borderTopColor}|${style.backgroundImage}`;
      }),
    labels.map((l) => l.code),
  );
  expect(new Set(looks.map((l) => l.split("|")[0])).size).toBe(labels.length);
  expect(new Set(looks.map((l) => l.split("|")[1])).size).toBe(labels.length);
  await shot(page, `${info.project.name}-seat-categories`);
  await checkA11y(page, "seat map with categories");
});

test("seats picked before signing in are selected again after the sign-in", async ({ page }) => {
  const email = uniqueEmail("pending");
  const password = "correct horse battery";
  await signUp(page, email, password);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();

  await page.goto(`/shows/${BIG_SHOW}`);
  for (const id of ["K5", "K6", "K7"]) await page.locator(`[data-seat="${id}"]`).click();
  await page.getByRole("button", { name: /Hold 3 seats/ }).click();
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await expect(page.getByRole("status").filter({ hasText: "They stay selected" })).toBeVisible();
  await signIn(page, email, password);

  await expect(page).toHaveURL(new RegExp(`/shows/${BIG_SHOW}$`));
  for (const id of ["K5", "K6", "K7"]) {
    await expect(page.locator(`[data-seat="${id}"]`)).toHaveAttribute("aria-pressed", "true");
  }
  await expect(page.getByRole("status").filter({ hasText: "still selected" })).toContainText("K5, K6, K7");
  await page.getByRole("button", { name: /Hold 3 seats/ }).click();
  await expect(page.getByRole("heading", { name: "Checkout" })).toBeVisible();
  await page.getByRole("button", { name: "Release seats" }).click();
});

test("a first-time visitor picks seats, creates an account on the way, and keeps the seats", async ({
  page,
}) => {
  const email = uniqueEmail("pending-new");
  const password = "correct horse battery";
  await page.goto(`/shows/${BIG_SHOW}`);
  for (const id of ["L5", "L6"]) await page.locator(`[data-seat="${id}"]`).click();
  await page.getByRole("button", { name: /Hold 2 seats/ }).click();
  await page.getByRole("link", { name: /Create an account/ }).click();
  await expect(page).toHaveURL(/\/sign-up\?next=/);
  await page.getByLabel("Name").fill("New customer");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("status")).toContainText("We sent a mail to this address");
  await page.getByRole("main").getByRole("link", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await signIn(page, email, password);
  await expect(page).toHaveURL(new RegExp(`/shows/${BIG_SHOW}$`));
  for (const id of ["L5", "L6"]) {
    await expect(page.locator(`[data-seat="${id}"]`)).toHaveAttribute("aria-pressed", "true");
  }
});
