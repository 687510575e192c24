import { expect, type APIRequestContext, type Page } from "@playwright/test";
import AxeBuilder from "./axe";
import { mkdirSync } from "node:fs";

/** An account that signs in with an e-mail address and a password. */
export type Account = { email: string; password: string };

// The demo's own accounts (`marquee demo` creates them).
export const ADMIN: Account = { email: "admin@marquee.demo", password: "admin-demo-pass" };
export const PARTNER: Account = { email: "partner@marquee.demo", password: "partner-demo-pass" };
export const CUSTOMER: Account = { email: "customer@marquee.demo", password: "customer-demo-pass" };

export const SHOTS = new URL("../artifacts/screenshots/", import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });

let counter = 0;
export function uniqueEmail(tag: string): string {
  counter += 1;
  return `${tag}-${Date.now()}-${counter}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

/** Injects axe-core and fails on serious or critical violations. */
export async function checkA11y(page: Page, name: string): Promise<void> {
  const violations = await AxeBuilder(page);
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (serious.length) {
    console.log(
      `axe ${name}:`,
      JSON.stringify(
        serious.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target) })),
        null,
        1,
      ),
    );
  }
  expect(serious.map((v) => `${v.id}: ${v.help}`), `serious axe violations on ${name}`).toEqual([]);
}

export async function signUp(page: Page, email: string, password = "correct horse battery"): Promise<void> {
  await page.goto("/sign-up");
  await page.getByLabel("Name").fill("Test customer");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  // Sign-up never signs in (that would tell a new address from a known one): the page says to
  // check the mail, and the new account signs in with its password.
  await expect(page.getByRole("status")).toContainText("We sent a mail to this address");
  await page.getByRole("link", { name: "Sign in", exact: true }).last().click();
  await signIn(page, email, password);
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** Signs `who` in on the sign-in page that leads on to `next`. It returns once the session is in
 * place, so the caller's next step never races the redirect. */
export async function signInTo(page: Page, who: Account, next: string): Promise<void> {
  await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
  await signIn(page, who.email, who.password);
}

/** The API's headers for `who`, signed in with a password grant. */
export async function bearer(request: APIRequestContext, who: Account): Promise<Record<string, string>> {
  const token = await request.post("/v1/auth/token", {
    form: { grant_type: "password", username: who.email, password: who.password },
  });
  expect(token.ok(), await token.text()).toBeTruthy();
  return { Authorization: `Bearer ${(await token.json()).access_token}` };
}

/** A show of the first movie in Chennai (demo data), one day ahead. */
export async function openFirstShow(page: Page): Promise<void> {
  await page.goto("/");
  await page.getByLabel("City").selectOption("Chennai");
  await page.getByRole("link", { name: /Paper Moons/ }).first().click();
  await expect(page.getByRole("heading", { name: "Show times" })).toBeVisible();
  // Tomorrow's first show, not today's: today's may already be inside the theatre's cancellation
  // cut-off, depending on the hour the tests run.
  await page.getByTestId("show-day").nth(1).locator("a.time-btn").first().click();
  await expect(page.locator("button.seat").first()).toBeVisible();
}
