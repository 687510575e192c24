import { expect, test } from "@playwright/test";
import { checkA11y, signIn, signUp, uniqueEmail } from "./helpers";

test("sign-up answers alike for a new and a known address, and signs no one in", async ({ page }) => {
  const email = uniqueEmail("signup");
  await signUp(page, email, "the first password");
  await page.getByRole("button", { name: "Sign out" }).click();

  // The same address again, with another password: the same answer, no session.
  await page.goto("/sign-up");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill("someone else's password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("status")).toContainText("We sent a mail to this address");
  await checkA11y(page, "sign-up sent");
  await expect(page.getByRole("button", { name: "Sign out" })).toHaveCount(0);

  // The account kept its password.
  await page.getByRole("link", { name: "Sign in", exact: true }).last().click();
  await signIn(page, email, "the first password");
});
