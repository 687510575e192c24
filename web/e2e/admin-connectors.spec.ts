// The admin's connector health reads as a table: status and the last test, last sync, last
// error, open dead letters and conflicts with links to act; never a JSON dump.
import { expect, test } from "@playwright/test";
import { ADMIN, checkA11y, signInTo } from "./helpers";

test("connector health is a readable table with links to act", async ({ page }) => {
  await signInTo(page, ADMIN, "/admin/connectors");
  const table = page.getByRole("table", { name: "Connectors" });
  await expect(table).toBeVisible();
  const headers = await table.locator("thead th").allInnerTexts();
  expect(headers.map((h) => h.replace(/\s+/g, " ").trim())).toEqual([
    "Connector",
    "Status",
    "Last sync",
    "Last error",
    "Dead letters",
    "Conflicts",
    "Actions",
  ]);
  const restline = table.getByRole("row", { name: /Restline/ });
  await restline.getByRole("button", { name: /^Test Restline/ }).click();
  await expect(page.getByRole("status").filter({ hasText: "restline: reachable" })).toBeVisible();
  await expect(restline.getByRole("cell").nth(0)).toContainText("active");
  await expect(restline).toContainText(/reachable \(tested /);
  // The demo imported every legacy theatre: each connector has synced.
  await expect(restline.getByRole("cell").nth(1)).not.toHaveText("never");
  await expect(table).not.toContainText("{");
  await checkA11y(page, "admin connectors");

  // The dead-letter and conflict pages take the connector the table links with.
  await page.goto("/admin/dead-letters?connector_id=restline");
  await expect(page.getByText("Only connector restline.")).toBeVisible();
  await page.getByRole("link", { name: "Show every connector" }).click();
  await expect(page).toHaveURL(/\/admin\/dead-letters$/);
  await page.goto("/admin/conflicts?connector_id=restline");
  await expect(page.getByText("Only connector restline.")).toBeVisible();
});

test("payments needing attention explain why and what to do", async ({ page }) => {
  await signInTo(page, ADMIN, "/admin/payments");
  await expect(page.getByRole("heading", { name: "Payments needing attention" })).toBeVisible();
  await expect(page.getByText("Declined cards and refunds that went through are not listed.")).toBeVisible();
  const table = page.getByRole("table", { name: "Payments needing attention" });
  if (await table.count()) {
    // Every listed payment names a reason an admin acts on, never an ordinary refund.
    for (const why of await table.locator("tbody th").allInnerTexts()) {
      expect(why).toMatch(/^(Stuck in flight|Refund failed|Refund still retrying|Chargeback|Paid, not booked|Amount differs)/);
    }
  } else {
    await expect(page.getByText("Nothing needs a person right now.")).toBeVisible();
  }
  await checkA11y(page, "admin payments");
});
