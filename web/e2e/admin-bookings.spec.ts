// An admin finds a booking by its code (from the address, as the payments page links it) and
// reads the show by its movie, theatre, screen and time, not by its id.
import { expect, test } from "@playwright/test";
import { ADMIN, bearer, CUSTOMER, signInTo } from "./helpers";

test("a booking found by code names its show", async ({ page, request }) => {
  const customer = await bearer(request, CUSTOMER);
  const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const shows = await (
    await request.get("/v1/shows", { params: { theatre_id: "thr_chennai_marina", date: day } })
  ).json();
  const show = shows.items[1];
  const hold = await request.post("/v1/holds", { headers: customer, data: { show_id: show.id, count: 1 } });
  expect(hold.status(), await hold.text()).toBe(201);
  const paid = await request.post("/v1/checkout", {
    headers: customer,
    data: { hold_id: (await hold.json()).id, payment: { card_number: "4242424242424242" } },
  });
  expect(paid.status(), await paid.text()).toBe(201);
  const code = (await paid.json()).booking.code;
  const movie = await (await request.get(`/v1/movies/${show.movie_id}`, { headers: { "Accept-Language": "en" } })).json();

  await signInTo(page, ADMIN, `/admin/bookings?q=${code}`);
  const row = page.getByRole("table", { name: "Bookings found" }).getByRole("row", { name: new RegExp(code) });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(movie.title);
  await expect(row).toContainText("Marquee Marina");
  await expect(row).toContainText(show.screen_name);
  await expect(row).not.toContainText(show.id);
});
