import { expect, test } from "@playwright/test";
import { signUp, uniqueEmail } from "./helpers";

test("a signed-out first visit asks for no refresh and logs no error; a signed-in one stays", async ({
  page,
}) => {
  const refreshes: string[] = [];
  const failed: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/v1/session/refresh")) refreshes.push(r.url());
  });
  page.on("response", (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto("/");
  await page.getByLabel("City").selectOption("Chennai");
  await expect(page.getByRole("heading", { name: "Now showing" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.goto("/movies/mov_kaala_vettai");
  await expect(page.getByRole("heading", { name: "Show times" })).toBeVisible();
  expect(refreshes).toEqual([]);
  expect(failed).toEqual([]);
  expect(errors).toEqual([]);

  // Signed in, the access cookie gone (as when it expires): the hint lets the page renew it.
  await signUp(page, uniqueEmail("hint"));
  const cookies = await page.context().cookies();
  expect(cookies.find((c) => c.name === "mq_signed_in")?.httpOnly).toBe(false);
  await page.context().clearCookies({ name: "mq_access" });
  await page.goto("/bookings");
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  expect(refreshes.length).toBeGreaterThan(0);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  expect((await page.context().cookies()).some((c) => c.name === "mq_signed_in")).toBe(false);
});
