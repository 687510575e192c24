// A partner draws a three-area layout with a sofa row in the layout editor, sees a problem
// drawn on its seat, fixes it, saves, and the API serves the new layout with the categories'
// colours, which the editor paints with after a reload and the customer's seat map shows.
import { expect, test } from "@playwright/test";
import { bearer, checkA11y, PARTNER, shot, signInTo } from "./helpers";

const PREMIUM_COLOUR = "#aa3377";
const PREMIUM_RGB = "rgb(170, 51, 119)";

test("a partner draws a 3-area layout with a sofa row and saves it", async ({ page, request }) => {
  const auth = await bearer(request, PARTNER);
  const screenId = `scr_e2e_${Date.now()}`;
  const created = await request.post("/v1/partner/theatres/thr_chennai_marina/screens", {
    headers: auth,
    data: { id: screenId, name: "Screen E2E", formats: ["2D"] },
  });
  expect(created.status(), await created.text()).toBe(201);

  await signInTo(page, PARTNER, `/partner/screens/${screenId}/layout`);
  await expect(page.getByRole("heading", { name: "Seat layout: Screen E2E" })).toBeVisible();

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
  // The partner's own colour for it (the editor's palette would give another).
  await page.getByLabel("Colour of premium").fill(PREMIUM_COLOUR);
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

  // The colours were saved with the layout: after a reload the editor paints with them, not with
  // its palette's defaults.
  expect(saved.category_colours.premium).toBe(PREMIUM_COLOUR);
  expect(Object.keys(saved.category_colours).sort()).toEqual(["premium", "sofa", "standard"]);
  await page.reload();
  await expect(page.getByLabel("Colour of premium")).toHaveValue(PREMIUM_COLOUR);
  await expect(page.getByLabel("Colour of sofa")).toHaveValue(saved.category_colours.sofa);
  await expect(page.getByRole("button", { name: /^Area 2, C1:/ })).toHaveCSS("background-color", PREMIUM_RGB);

  // A customer's seat map of a show on this screen shows the colour in its legend and seats.
  const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  const show = await request.post("/v1/partner/theatres/thr_chennai_marina/shows", {
    headers: auth,
    data: { screen_id: screenId, movie_id: "mov_orbit_nine", start: `${day}T10:00:00+05:30`, language: "en" },
  });
  expect(show.status(), await show.text()).toBe(201);
  const showId = (await show.json()).id;
  const prices = await request.put(`/v1/partner/shows/${showId}/prices`, {
    headers: auth,
    data: {
      ticket_types: ["standard", "premium", "sofa"].map((category) => ({
        code: "ADULT",
        name: "Adult",
        category,
        price: { amount: 20000, currency: "INR" },
      })),
    },
  });
  expect(prices.ok(), await prices.text()).toBeTruthy();
  await page.goto(`/shows/${showId}`);
  const legend = page.getByTestId("category-legend").locator('li[data-category="premium"] .seat');
  await expect(legend).toHaveCSS("background-color", PREMIUM_RGB);
  await expect(page.locator('button.seat.st-available[data-category="premium"]').first()).toHaveCSS(
    "background-color",
    PREMIUM_RGB,
  );
  await checkA11y(page, "seat map with a theatre's category colours");
});

type SeatJson = { id: string; label: string; position: { area: number; row: number; column: number }; category: string; flags: string[] };
type AreaJson = { number: number; name: string; category: string; rows: { name: string; index: number; seats: SeatJson[] }[] };

test("a layout opened in the editor and saved comes back exactly: skipped row letters, gaps, areas", async ({
  page,
  request,
}) => {
  const auth = await bearer(request, PARTNER);
  const screenId = `scr_e2e_rt_${Date.now()}`;
  const created = await request.post("/v1/partner/theatres/thr_chennai_marina/screens", {
    headers: auth,
    data: { id: screenId, name: "Screen round trip", formats: ["2D"] },
  });
  expect(created.status(), await created.text()).toBe(201);
  const s = (area: number, row: string, r: number, n: number, c: number, category = "standard") => ({
    id: `${row}${n}`,
    label: `${row}${n}`,
    position: { area, row: r, column: c },
    category,
    flags: [] as string[],
  });
  // Rows H, J, K (no I) and P (no O) behind a cross aisle; seat numbers jump over a gangway.
  const sent = {
    categories: ["premium", "standard"],
    areas: [
      {
        number: 0,
        name: "Stalls",
        category: "standard",
        rows: [
          { name: "H", index: 0, seats: [s(0, "H", 0, 1, 0), s(0, "H", 0, 2, 1), s(0, "H", 0, 5, 3), s(0, "H", 0, 6, 4)] },
          { name: "J", index: 1, seats: [s(0, "J", 1, 1, 0), s(0, "J", 1, 2, 1), s(0, "J", 1, 5, 3), s(0, "J", 1, 6, 4)] },
          { name: "K", index: 2, seats: [s(0, "K", 2, 1, 0), s(0, "K", 2, 2, 1)] },
          { name: "P", index: 4, seats: [s(0, "P", 4, 1, 1), s(0, "P", 4, 2, 2)] },
        ],
      },
      {
        number: 1,
        name: "Balcony",
        category: "premium",
        rows: [{ name: "Q", index: 0, seats: [s(1, "Q", 0, 1, 0, "premium"), s(1, "Q", 0, 2, 1, "premium")] }],
      },
    ],
  };
  const put = await request.put(`/v1/partner/screens/${screenId}/layout`, { headers: auth, data: sent });
  expect(put.status(), await put.text()).toBe(200);
  const before = await (await request.get(`/v1/partner/screens/${screenId}/layout`, { headers: auth })).json();

  await signInTo(page, PARTNER, `/partner/screens/${screenId}/layout`);
  await expect(page.getByRole("heading", { name: "Seat layout: Screen round trip" })).toBeVisible();
  await expect(page.getByText("Marquee Marina", { exact: true })).toBeVisible();
  // The editor shows the theatre's own row names and seat numbers.
  await expect(page.getByLabel("Area 1 row 2 name")).toHaveValue("J");
  await expect(page.getByRole("button", { name: /^Area 1, H5:/ })).toBeVisible();
  const preview = page.getByRole("region", { name: "Preview of Stalls" });
  await expect(preview.locator(".row-name")).toHaveText(["H", "J", "K", "P"]);

  await page.getByRole("button", { name: "Save layout" }).click();
  await expect(page.getByText(/Saved version 2 with 14 seats/)).toBeVisible();
  const after = await (await request.get(`/v1/partner/screens/${screenId}/layout`, { headers: auth })).json();
  expect(after.version).toBe(2);
  expect(after.areas as AreaJson[]).toEqual(before.areas as AreaJson[]);
  expect((after.areas as AreaJson[])[0].rows.map((r) => r.name)).toEqual(["H", "J", "K", "P"]);

  // A row drawn in the cross aisle is named on from the row before it (L: no I, no O, K taken).
  await page.getByRole("radio", { name: "Seat" }).check();
  await page.getByRole("button", { name: "Area 1, row 4 column 1: aisle" }).click();
  await expect(page.getByLabel("Area 1 row 4 name")).toHaveAttribute("placeholder", "L");
  await expect(page.getByRole("button", { name: /^Area 1, L1:/ })).toBeVisible();
});
