import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { mailDir } from "../playwright.config";
import { signIn, signUp, uniqueEmail } from "./helpers";

function resetLink(email: string): string | null {
  try {
    const lines = readFileSync(`${mailDir}/email.jsonl`, "utf8").trim().split("\n");
    for (const line of lines.reverse()) {
      const mail = JSON.parse(line);
      if (mail.to === email && mail.kind === "password_reset") {
        return mail.body.match(/https?:\/\/\S+reset-password\?token=\S+/)?.[0] ?? null;
      }
    }
  } catch {
    /* no mail yet */
  }
  return null;
}

test("forgotten password: the mailed link sets a new one", async ({ page }) => {
  const email = uniqueEmail("reset");
  await signUp(page, email, "the first password");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.goto("/forgot-password");
  await page.getByLabel("E-mail").fill(email);
  await page.getByRole("button", { name: "Reset password" }).click();
  await expect(page.getByRole("status")).toContainText("we sent a link");
  await expect.poll(() => resetLink(email), { timeout: 10_000 }).not.toBeNull();
  await page.goto(resetLink(email)!);
  await page.getByLabel("New password").fill("the second password");
  await page.getByRole("button", { name: "Reset password" }).click();
  await expect(page.getByText("Password changed")).toBeVisible();
  await signIn(page, email, "the second password");
});
