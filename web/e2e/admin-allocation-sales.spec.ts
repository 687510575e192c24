// An admin downloads the allocation sales of a connector that sells an allocation: the link
// appears on the connector's page only in allocation mode, and the file is the day's CSV with
// its header row.
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { ADMIN, bearer, checkA11y, signInTo } from "./helpers";

const CONNECTOR = "e2e-allocation";
const HEADER =
  "business_date,show_id,pos_show_ref,show_start,screen_id,screen_name,seat_id,seat_label," +
  "booking_code,ticket_type,category,price,fee,currency,status,sold_at,cancelled_at";

test.beforeAll(async ({ request }) => {
  // An export-only POS (cuecloud's mapping) whose theatre gave Marquee two seats.
  const headers = await bearer(request, ADMIN);
  const created = await request.post("/v1/admin/connectors", {
    headers,
    data: {
      id: CONNECTOR,
      name: "Allocation theatre",
      adapter: "rest",
      mapping: "mappings/cuecloud/mapping.yaml",
      endpoint: { base_url: "http://127.0.0.1:9" },
      settings: { online_sales: "allocation", allocation: { "*": ["1-1-1", "1-1-2"] } },
    },
  });
  expect([201, 409], await created.text()).toContain(created.status());
});

test("an admin downloads a day's allocation sales as CSV", async ({ page }) => {
  await signInTo(page, ADMIN, `/admin/connectors/${CONNECTOR}`);
  await expect(page.getByRole("heading", { name: "Connector: Allocation theatre" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Allocation sales" })).toBeVisible();
  await page.getByLabel("Business day").fill("2026-12-06");
  await checkA11y(page, "admin allocation sales");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download allocation sales (CSV)" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`allocation-sales-${CONNECTOR}-20261206.csv`);
  const text = await readFile((await download.path())!, "utf-8");
  // No theatre of this connector sold anything that day: the header row alone.
  expect(text).toBe(`${HEADER}\r\n`);
});

test("a connector that sells live has no allocation sales", async ({ page }) => {
  await signInTo(page, ADMIN, "/admin/connectors/restline");
  await expect(page.getByRole("heading", { name: /^Connector: Restline/ })).toBeVisible();
  await expect(page.getByRole("link", { name: "Download allocation sales (CSV)" })).toHaveCount(0);
});
