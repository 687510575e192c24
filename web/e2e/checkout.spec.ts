import { expect, test } from "@playwright/test";
import { BIG_SHOW } from "./ids";
import { shot, signUp, uniqueEmail } from "./helpers";

test("a declined card, then a good one; a double click pays once", async ({ page }) => {
  await signUp(page, uniqueEmail("declined"));
  await page.goto(`/shows/${BIG_SHOW}`);
  await page.getByLabel("Seats", { exact: true }).selectOption("2");
  await page.getByRole("button", { name: "Best available" }).click();
  await page.getByRole("button", { name: /Hold 2 seats/ }).click();
  await expect(page.getByRole("heading", { name: "Checkout" })).toBeVisible();
  // Ticket types per seat where the show has several (Adult / Child for standard seats).
  const types = page.getByRole("combobox", { name: /Ticket type for/ });
  if ((await types.count()) > 0) await types.first().selectOption({ label: "Child" });

  await page.getByLabel("Card number").fill("4000 0000 0000 0002");
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.getByRole("alert")).toContainText("declined");
  await shot(page, "declined");
  await expect(page.getByRole("heading", { name: "Checkout" })).toBeVisible();

  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByRole("button", { name: /^Pay / }).dblclick();
  await expect(page.getByText("Booking confirmed")).toBeVisible();
  const bookingId = new URL(page.url()).pathname.split("/").pop()!;
  const booking = await (await page.request.get(`/v1/bookings/${bookingId}`)).json();
  const succeeded = booking.payments.filter((p: { status: string }) => p.status === "succeeded");
  expect(succeeded).toHaveLength(1);
});

test("the hold counts down, expires, and the seats go back", async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, uniqueEmail("expiry"));
  await page.goto(`/shows/${BIG_SHOW}`);
  await page.locator('[data-seat="Q25"]').click();
  await page.locator('[data-seat="Q24"]').click();
  await page.getByRole("button", { name: /Hold 2 seats/ }).click();
  await expect(page.locator(".countdown")).toHaveText(/00:[0-5]\d|01:00/);
  await expect(page.getByText("Your hold expired")).toBeVisible({ timeout: 75_000 });
  await expect(page.getByRole("button", { name: /^Pay / })).toBeDisabled();
  await shot(page, "hold-expired");
  // The server's clock decides: within a few seconds of the countdown the seats are free.
  await expect
    .poll(
      async () => {
        const map = await (await page.request.get(`/v1/shows/${BIG_SHOW}/seat-map`)).json();
        return map.seats.find((s: { id: string }) => s.id === "Q25").status;
      },
      { timeout: 15_000 },
    )
    .toBe("available");
});

test("extend the hold once; leaving checkout releases the seats", async ({ page }) => {
  await signUp(page, uniqueEmail("leave"));
  await page.goto(`/shows/${BIG_SHOW}`);
  await page.locator('[data-seat="P1"]').click();
  await page.locator('[data-seat="P2"]').click();
  await page.getByRole("button", { name: /Hold 2 seats/ }).click();
  await expect(page.getByRole("heading", { name: "Checkout" })).toBeVisible();
  await page.getByRole("button", { name: "Need more time?" }).click();
  await expect(page.getByText("Extended once")).toBeVisible();
  await expect(page.getByRole("button", { name: "Need more time?" })).toHaveCount(0);
  await page.getByRole("link", { name: "Movies" }).click();
  await expect
    .poll(
      async () => {
        const map = await (await page.request.get(`/v1/shows/${BIG_SHOW}/seat-map`)).json();
        return map.seats.find((s: { id: string }) => s.id === "P1").status;
      },
      { timeout: 10_000 },
    )
    .toBe("available");
});
