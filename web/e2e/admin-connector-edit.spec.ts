// A connector's page: an admin edits its name, sees why settings the POS cannot do are refused,
// and reads its recent import runs (kind, when, status, mapping version, counts).
import { expect, test } from "@playwright/test";
import { ADMIN, bearer, checkA11y, signInTo } from "./helpers";

const CONNECTOR = "e2e-edit";

test.beforeAll(async ({ request }) => {
  // A connector of its own (the demo's are used by other tests), named as the test expects.
  const headers = await bearer(request, ADMIN);
  const created = await request.post("/v1/admin/connectors", {
    headers,
    data: {
      id: CONNECTOR,
      name: "Edit me",
      adapter: "rest",
      mapping: "mappings/restline/mapping.yaml",
      endpoint: { base_url: "http://127.0.0.1:9" },
    },
  });
  expect([201, 409], await created.text()).toContain(created.status());
  const reset = await request.patch(`/v1/admin/connectors/${CONNECTOR}`, {
    headers,
    data: { name: "Edit me", settings: {} },
  });
  expect(reset.ok(), await reset.text()).toBeTruthy();
});

test("an admin renames a connector and sees refused settings explained", async ({ page }) => {
  await signInTo(page, ADMIN, "/admin/connectors");
  await page.getByRole("link", { name: "Edit me" }).click();
  await expect(page.getByRole("heading", { name: "Connector: Edit me" })).toBeVisible();

  await page.getByRole("button", { name: "Edit", exact: true }).click();
  await page.getByLabel("Name").fill("Edited in the browser");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved: name." })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Connector: Edited in the browser" })).toBeVisible();

  // Settings that are not JSON never leave the page; settings the POS cannot do are the API's 422.
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  await page.getByLabel("Settings (JSON)").fill("{online_sales: allocation");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert")).toHaveText("Settings is not valid JSON.");
  await page.getByLabel("Settings (JSON)").fill('{"online_sales": "allocation"}');
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert")).toContainText("online_sales 'allocation' needs `allocation`");
  await checkA11y(page, "admin connector edit");

  // Nothing was saved: the stored connector keeps its settings.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Connector: Edited in the browser" })).toBeVisible();
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  await expect(page.getByLabel("Settings (JSON)")).toHaveValue("{}");
});

test("a connector's page lists its recent import runs", async ({ page }) => {
  await signInTo(page, ADMIN, "/admin/connectors/restline");
  await expect(page.getByRole("heading", { name: /^Connector: Restline/ })).toBeVisible();
  const runs = page.getByRole("table", { name: "Import runs" });
  await expect(runs).toBeVisible();
  const headers = await runs.locator("thead th").allInnerTexts();
  expect(headers.map((h) => h.trim())).toEqual(["Kind", "Finished", "Status", "Mapping", "Counts"]);
  // The demo's first catalog import, recorded with the mapping it ran with.
  const catalog = runs.getByRole("row", { name: /^catalog/ }).last();
  await expect(catalog).toContainText("ok");
  await expect(catalog).toContainText("restline v2");
  await expect(catalog).toContainText(/\d+ created/);
  await expect(runs).not.toContainText("{");
  await checkA11y(page, "admin connector runs");
});
