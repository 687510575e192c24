import { expect, test, type Page, type Request } from "@playwright/test";
import { readFileSync } from "node:fs";
import { fakeStripeApi } from "../playwright.config";
import { BIG_SHOW } from "./ids";
import { checkA11y, shot, signUp, uniqueEmail } from "./helpers";

// The app runs with PAYMENT_GATEWAY=stripe (e2e/serve-stripe.sh). Nothing leaves the machine:
// Stripe.js is a fake served in place of https://js.stripe.com, and Stripe's API is the fake one
// on loopback, reached in place of https://api.stripe.com. The fake API sends its signed events
// to our webhook, which confirms the booking.
const fakeStripeJs = readFileSync(new URL("./fixtures/fake-stripe.js", import.meta.url), "utf8");
const DECLINED = "4000000000000002";
const PAYS = "4242424242424242";
const NEEDS_3DS = "4000002760003184";

type Seen = { method: string; url: string; body: string | null };

async function offline(page: Page): Promise<Seen[]> {
  const seen: Seen[] = [];
  // Routes run newest first: anything not on loopback and not Stripe's is refused.
  await page.context().route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
  await page.context().route("https://js.stripe.com/**", (route) =>
    route.fulfill({ status: 200, contentType: "application/javascript", body: fakeStripeJs }),
  );
  await page.context().route("https://api.stripe.com/**", async (route) => {
    const url = new URL(route.request().url());
    const response = await route.fetch({ url: `${fakeStripeApi}${url.pathname}${url.search}` });
    await route.fulfill({ response });
  });
  page.on("request", (r: Request) => {
    seen.push({ method: r.method(), url: r.url(), body: r.postData() });
  });
  return seen;
}

async function holdTwoSeats(page: Page, seats: [string, string]): Promise<void> {
  await page.goto(`/shows/${BIG_SHOW}`);
  for (const seat of seats) await page.locator(`[data-seat="${seat}"]`).click();
  await page.getByRole("button", { name: /Hold 2 seats/ }).click();
  await expect(page.getByRole("heading", { name: "Checkout" })).toBeVisible();
}

function cardField(page: Page) {
  return page.frameLocator('iframe[title="Secure payment input frame"]').getByLabel("Card number");
}

const isOurs = (s: Seen) => s.url.startsWith("http://127.0.0.1");
const isStripeConfirm = (s: Seen) =>
  s.url.startsWith("https://api.stripe.com/v1/payment_intents/") && s.url.endsWith("/confirm");

test("Stripe's Payment Element: a decline, then a good card; no card data reaches our API", async ({
  page,
}) => {
  const seen = await offline(page);
  await signUp(page, uniqueEmail("stripe"));
  await holdTwoSeats(page, ["B5", "B6"]);

  // No card field of ours: the card goes into Stripe's element once the checkout started.
  await expect(page.getByRole("button", { name: "Continue to payment" })).toBeVisible();
  await expect(page.getByLabel("Card number")).toHaveCount(0);
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await expect(cardField(page)).toBeVisible();
  await expect(page.getByRole("group", { name: /Card details/ })).toBeVisible();
  await checkA11y(page, "checkout-stripe");

  await cardField(page).fill("4000 0000 0000 0002");
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.getByRole("alert")).toContainText("Your card was declined.");
  await shot(page, "stripe-declined");

  // The same intent is paid with another card: no second checkout.
  await cardField(page).fill("4242 4242 4242 4242");
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.getByRole("status").filter({ hasText: "Confirming your payment" })).toBeVisible();
  await expect(page.getByText("Booking confirmed")).toBeVisible({ timeout: 20_000 });
  const bookingId = new URL(page.url()).pathname.split("/").pop()!;
  const booking = await (await page.request.get(`/v1/bookings/${bookingId}`)).json();
  expect(booking.status).toBe("confirmed");
  expect(booking.payments.map((p: { status: string }) => p.status)).toEqual(["succeeded"]);

  // The order of calls: the config, one checkout to our API (no card details), then the card
  // went to Stripe only.
  const config = seen.findIndex((s) => isOurs(s) && s.url.endsWith("/v1/payments/config"));
  const checkouts = seen
    .map((s, i) => ({ ...s, i }))
    .filter((s) => isOurs(s) && s.method === "POST" && s.url.endsWith("/v1/checkout"));
  const confirms = seen.map((s, i) => ({ ...s, i })).filter(isStripeConfirm);
  expect(config).toBeGreaterThanOrEqual(0);
  expect(checkouts).toHaveLength(1);
  expect(config).toBeLessThan(checkouts[0].i);
  const body = JSON.parse(checkouts[0].body ?? "{}");
  expect(Object.keys(body).sort()).toEqual(["hold_id", "method", "ticket_types"]);
  expect(confirms).toHaveLength(2);
  expect(confirms[0].i).toBeGreaterThan(checkouts[0].i);
  expect(confirms[0].body).toContain(DECLINED);
  expect(confirms[1].body).toContain(PAYS);
  for (const s of seen.filter(isOurs)) {
    for (const card of [DECLINED, PAYS]) expect(s.body ?? "", `${s.method} ${s.url}`).not.toContain(card);
    expect(s.body ?? "").not.toMatch(/card_number|cardnumber/);
  }
});

test("3-D Secure inside Stripe.js: the challenge passed, the webhook confirms the booking", async ({
  page,
}) => {
  const seen = await offline(page);
  await signUp(page, uniqueEmail("stripe-3ds"));
  await holdTwoSeats(page, ["C5", "C6"]);
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await cardField(page).fill(NEEDS_3DS);
  await page.getByRole("button", { name: /^Pay / }).click();
  const challenge = page.getByRole("dialog", { name: "3D Secure authentication" });
  await expect(challenge).toBeVisible();
  await challenge.getByRole("button", { name: "Complete authentication" }).click();
  await expect(page.getByText("Booking confirmed")).toBeVisible({ timeout: 20_000 });
  for (const s of seen.filter(isOurs)) expect(s.body ?? "").not.toContain(NEEDS_3DS);
});
