import { expect, test } from "@playwright/test";
import { checkA11y, openFirstShow, shot, signUp, uniqueEmail } from "./helpers";

test("sign up, browse, pick seats, hold, pay, e-ticket, cancel, refund @phone", async ({
  page,
}, info) => {
  const tag = info.project.name;
  await signUp(page, uniqueEmail(`journey-${tag}`));
  await checkA11y(page, "after sign-up");

  await page.goto("/");
  await page.getByLabel("City").selectOption("Chennai");
  await expect(page.getByRole("heading", { name: "Now showing" })).toBeVisible();
  await checkA11y(page, "home");
  await shot(page, `${tag}-1-home`);

  await openFirstShow(page);
  await shot(page, `${tag}-2-seat-map`);
  await checkA11y(page, "seat map");

  await page.getByLabel("Seats", { exact: true }).selectOption("2");
  await page.getByRole("button", { name: "Best available" }).click();
  await expect(page.locator("button.seat.selected")).toHaveCount(2);
  await page.getByRole("button", { name: /Hold 2 seats/ }).click();

  await expect(page.getByRole("heading", { name: "Checkout" })).toBeVisible();
  await expect(page.locator(".countdown")).toHaveText(/0\d:\d\d/);
  await checkA11y(page, "checkout");
  await shot(page, `${tag}-3-checkout`);
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByRole("button", { name: /^Pay / }).click();

  await expect(page.getByText("Booking confirmed")).toBeVisible();
  const qr = page.getByRole("img", { name: /QR code for booking/ });
  await expect(qr).toBeVisible();
  await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  const download = page.getByRole("link", { name: /Download ticket/ });
  const png = await page.request.get((await download.getAttribute("href"))!);
  expect(png.status()).toBe(200);
  expect(png.headers()["content-type"]).toBe("image/png");
  await checkA11y(page, "confirmation");
  await shot(page, `${tag}-4-ticket`);

  await page.getByRole("button", { name: "Cancel booking" }).click();
  const quote = page.getByTestId("refund-quote");
  await expect(quote).toContainText("refunds");
  await page.getByRole("button", { name: /Cancel and refund/ }).click();
  await expect(page.getByTestId("booking-status")).toHaveText("Cancelled");
  await expect(page.getByTestId("refund-status").first()).toBeVisible();
  await shot(page, `${tag}-5-cancelled`);

  await page.getByRole("link", { name: "My bookings" }).first().click();
  await expect(page.getByTestId("booking-card-status").first()).toHaveText("Cancelled");
  await checkA11y(page, "my bookings");
});

test("a legacy-POS theatre: hold forwarded to its POS, pay, e-ticket, cancel", async ({ page }) => {
  const theatres = await (await page.request.get("/v1/theatres?city=Chennai")).json();
  const legacy = theatres.items.find((t: { legacy: boolean }) => t.legacy);
  expect(legacy, "the demo imports a legacy theatre in Chennai").toBeTruthy();
  const shows = await (await page.request.get(`/v1/shows?theatre_id=${legacy.id}&limit=50`)).json();
  const show = shows.items[shows.items.length - 1];
  await signUp(page, uniqueEmail("legacy"));
  await page.goto(`/shows/${show.id}`);
  await page.getByLabel("Seats", { exact: true }).selectOption("1");
  await page.getByRole("button", { name: "Best available" }).click();
  await page.getByRole("button", { name: /Hold 1 seats/ }).click();
  await expect(page.getByRole("heading", { name: "Checkout" })).toBeVisible();
  // The theatre's booking fee is shown before paying, and the total on the button is the
  // total the booking is charged.
  expect(show.booking_fee?.amount, "the demo's legacy POS charges a booking fee").toBeGreaterThan(0);
  await expect(page.getByRole("rowheader", { name: /^Booking fee \(1 × / })).toBeVisible();
  await page.getByLabel("Card number").fill("4242424242424242");
  const pay = page.getByRole("button", { name: /^Pay / });
  const charged = (await pay.innerText()).replace(/^Pay /, "").trim();
  await pay.click();
  await expect(page.getByText("Booking confirmed")).toBeVisible();
  await expect(page.getByText(legacy.name, { exact: true })).toBeVisible();
  await expect(page.locator("dd").filter({ hasText: charged })).toBeVisible();
  await shot(page, "legacy-ticket");
  await page.getByRole("button", { name: "Cancel booking" }).click();
  await page.getByRole("button", { name: /Cancel and refund/ }).click();
  await expect(page.getByTestId("booking-status")).toHaveText("Cancelled");
});
