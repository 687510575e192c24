// A partner draws a three-area layout with a sofa row in the layout editor, sees a problem
// drawn on its seat, fixes it, saves, and the API serves the new layout.
import { expect, test } from "@playwright/test";
import { checkA11y, shot } from "./helpers";

const PARTNER = { email: "partner@marquee.demo", password: "partner-demo-pass" };

test("a partner draws a 3-area layout with a sofa row and saves it", async ({ page, request }) => {
  const t = await request.post("/v1/auth/token", {
    form: { grant_type: "password", username: PARTNER.email, password: PARTNER.password },
  });
  const auth = { Authorization: `Bearer ${(await t.json()).access_token}` };
  const screenId = `scr_e2e_${Date.now()}`;
  const created = await request.post("/v1/partner/theatres/thr_chennai_marina/screens", {
    headers: auth,
    data: { id: screenId, name: "Screen E2E", formats: ["2D"] },
  });
  expect(created.status(), await created.text()).toBe(201);

  await page.goto(`/sign-in?next=${encodeURIComponent(`/partner/screens/${screenId}/layout`)}`);
  await page.getByLabel("E-mail").fill(PARTNER.email);
  await page.getByLabel("Password").fill(PARTNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: `Seat layout: ${screenId}` })).toBeVisible();

  // Area 1: stalls, 2 rows of 6, standard.
  await page.getByLabel("Area 1 rows").fill("2");
  await page.getByLabel("Area 1 columns").fill("6");
  await page.getByRole("button", { name: "Fill area with seats" }).click();
  // A wheelchair space and its companion at the start of row A.
  await page.getByRole("radio", { name: "Wheelchair" }).check();
  await page.getByRole("button", { name: /^Area 1, A1:/ }).click();
  await page.getByRole("radio", { name: "Companion" }).check();
  await page.getByRole("button", { name: /^Area 1, A3:/ }).click(); // not next to it: a problem

  // Area 2: premium, 1 row of 6.
  await page.getByRole("button", { name: "Add area" }).click();
  await page.getByLabel("New category").fill("premium");
  await page.getByRole("button", { name: "Add category" }).click();
  await page.getByLabel("Area 2 rows").fill("1");
  await page.getByLabel("Area 2 columns").fill("6");
  await page.getByRole("button", { name: "Fill area with seats" }).nth(1).click();

  // Area 3: a sofa row of three pairs.
  await page.getByRole("button", { name: "Add area" }).click();
  await page.getByLabel("Area 3 name").fill("Sofas");
  await page.getByLabel("New category").fill("sofa");
  await page.getByRole("button", { name: "Add category" }).click();
  await page.getByLabel("Area 3 rows").fill("1");
  await page.getByLabel("Area 3 columns").fill("6");
  await page.getByRole("button", { name: "Fill area with seats" }).nth(2).click();
  await page.getByRole("radio", { name: "Select for sofa" }).check();
  for (const pair of [["D1", "D2"], ["D3", "D4"], ["D5", "D6"]]) {
    for (const seat of pair) await page.getByRole("button", { name: new RegExp(`^Area 3, ${seat}:`) }).click();
    await page.getByRole("button", { name: /Make sofa group/ }).click();
  }

  // The check draws the misplaced companion seat as a problem on that seat.
  await page.getByRole("button", { name: "Check layout" }).click();
  const companion = page.locator('[data-seat="A3"]');
  await expect(companion).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("list", { name: "Problems" })).toContainText("A3");
  await checkA11y(page, "layout editor with a problem");

  // Move the companion next to the wheelchair space.
  await page.getByRole("radio", { name: "Companion" }).check();
  await page.getByRole("button", { name: /^Area 1, A3:/ }).click(); // toggles it off
  await page.getByRole("button", { name: /^Area 1, A2:/ }).click();
  await page.getByRole("button", { name: "Save layout" }).click();
  await expect(page.getByText(/Saved version 1 with 24 seats/)).toBeVisible();
  await expect(page.getByRole("region", { name: "Preview of Sofas" })).toBeVisible();
  await shot(page, "layout-editor");

  const saved = await (await request.get(`/v1/partner/screens/${screenId}/layout`, { headers: auth })).json();
  expect(saved.areas.map((a: { name: string }) => a.name)).toEqual(["Stalls", "Area 2", "Sofas"]);
  const sofas = saved.areas[2].rows[0].seats;
  expect(new Set(sofas.map((s: { group: string }) => s.group)).size).toBe(3);
  expect(sofas.every((s: { category: string }) => s.category === "sofa")).toBeTruthy();
  const a1 = saved.areas[0].rows[0].seats;
  expect(a1[0].flags).toContain("wheelchair");
  expect(a1[1].flags).toContain("companion");
});
