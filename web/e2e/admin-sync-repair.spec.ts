// An admin repairs what a legacy POS sync left behind, in the browser, against the demo's restline
// simulator: a box office that sold a seat a customer had booked becomes a conflict the admin reads
// (film, theatre, local time, seat, booking) and resolves with a refund; a seat push the
// connector's (wrongly edited) mapping could not read becomes a dead letter that imports once the
// admin fixes the mapping in the panel's mapping editor (a dry run on the dead letter's payload,
// a typo the validator points at by line, another admin's save in between) and replays it.
import { expect, test, type APIRequestContext, type Locator } from "@playwright/test";
import { readdirSync, rmSync } from "node:fs";
import { ADMIN, bearer, checkA11y, shot, signInTo, uniqueEmail } from "./helpers";

const MAPPING = "mappings/restline/mapping.yaml";
const ROOT = new URL("../../", import.meta.url).pathname;
const RESTLINE_DIR = `${ROOT}mappings/restline`;
// The files the editor saves beside the shipped mapping (one per save, never in place).
const SAVED = /^mapping\.restline\.v\d+\.yaml$/;
const SAVED_PATH = /^mappings\/restline\/mapping\.restline\.v\d+\.yaml$/;
// The seat push's status as restline sends it, and as someone wrongly edited it.
const GOOD = "status: {path: Status, transforms: [{status_map: seat}]}";
const BAD = "status: {path: SeatStatus, transforms: [{status_map: seat}]}";
const TYPO = "status: {pth: Status, transforms: [{status_map: seat}]}";

type Headers = Record<string, string>;
type Seat = { id: string; label: string; status: string; flags: string[]; group: string | null };
type PosEvent = {
  CinemaId: string;
  SessionId: string;
  AreaNumber: number;
  RowIndex: number;
  ColumnIndex: number;
  Status: number;
};
const SOLD = 1;
const HELD = 2;

test.describe.configure({ mode: "serial" });

async function newCustomer(request: APIRequestContext): Promise<Headers> {
  const email = uniqueEmail("sync-repair");
  const password = "correct horse battery";
  const signUp = await request.post("/v1/auth/signup", { data: { email, password, name: "Sync repair" } });
  expect(signUp.status(), await signUp.text()).toBe(202);
  return bearer(request, { email, password });
}

/** The restline simulator as the admin API names it: the connector's endpoint. Its admin
 * routes (/_sim/...) answer on the same port and tell its API token. */
async function restline(request: APIRequestContext, admin: Headers) {
  const connector = await request.get("/v1/admin/connectors/restline", { headers: admin });
  expect(connector.ok(), await connector.text()).toBeTruthy();
  const base = (await connector.json()).endpoint.base_url as string;
  const info = await (await request.get(`${base}/_sim/info`)).json();
  const pos = { [info.token_header as string]: info.token as string };
  return {
    base,
    /** The POS's seat feed after `since`: what it recorded of our holds and sales. */
    async events(since: string): Promise<{ cursor: string; events: PosEvent[] }> {
      const feed = await request.get(`${base}/api/v1/seat-events?Since=${since}`, { headers: pos });
      expect(feed.ok(), await feed.text()).toBeTruthy();
      const body = await feed.json();
      return { cursor: body.Cursor, events: body.Events };
    },
    async sell(cinema: string, session: string, seatId: string, force: boolean) {
      const [area, row, column] = seatId.split("-").map(Number);
      const sold = await request.post(`${base}/_sim/boxoffice/sell`, {
        data: {
          CinemaId: cinema,
          SessionId: session,
          Seats: [{ AreaNumber: area, RowIndex: row, ColumnIndex: column }],
          Force: force,
        },
      });
      expect(sold.ok(), await sold.text()).toBeTruthy();
    },
  };
}

type Pos = Awaited<ReturnType<typeof restline>>;

/** The POS session of Marquee's show, read from the POS's own record of our seats (the
 * restline seat id is area-row-column). */
async function sessionOf(pos: Pos, since: string, seatIds: string[], status: number) {
  let found: { cinema: string; session: string } | undefined;
  await expect
    .poll(
      async () => {
        const { events } = await pos.events(since);
        const sessions = new Map<string, Set<string>>();
        for (const e of events.filter((e) => e.Status === status)) {
          const key = `${e.CinemaId}|${e.SessionId}`;
          const seat = `${e.AreaNumber}-${e.RowIndex}-${e.ColumnIndex}`;
          if (seatIds.includes(seat)) sessions.set(key, (sessions.get(key) ?? new Set()).add(seat));
        }
        const whole = [...sessions].filter(([, seats]) => seats.size === seatIds.length).map(([k]) => k);
        if (whole.length === 1) {
          const [cinema, session] = whole[0].split("|");
          found = { cinema, session };
        }
        return whole.length;
      },
      { message: `the POS records seats ${seatIds.join(", ")} with status ${status}`, timeout: 15_000 },
    )
    .toBe(1);
  return found!;
}

async function restlineShow(request: APIRequestContext, index: number) {
  // Restline's demo cinemas are in Chennai and Bengaluru; the Chennai one is the city's only
  // legacy-POS theatre.
  const theatres = (await (await request.get("/v1/theatres?city=Chennai")).json()).items;
  const theatre = theatres.find((t: { legacy: boolean }) => t.legacy);
  expect(theatre, "the demo imports a restline theatre in Chennai").toBeTruthy();
  const shows = (await (await request.get(`/v1/shows?theatre_id=${theatre.id}&limit=50`)).json()).items;
  expect(shows.length).toBeGreaterThan(index);
  return { theatre, show: shows[index] };
}

/** What a card says for one term of its description list. */
const fact = (card: Locator, term: string) => card.locator(`dt:text-is("${term}") + dd`);

async function seats(request: APIRequestContext, showId: string): Promise<Seat[]> {
  return (await (await request.get(`/v1/shows/${showId}/seat-map`)).json()).seats;
}

test("an admin reads a POS-sold booked seat in words and refunds the customer in one click", async ({
  page,
  request,
}) => {
  const admin = await bearer(request, ADMIN);
  const pos = await restline(request, admin);
  const { cursor } = await pos.events("0");
  const { theatre, show } = await restlineShow(request, 1);

  // A customer books two seats; the sale is committed at the POS.
  const customer = await newCustomer(request);
  const hold = await request.post("/v1/holds", { headers: customer, data: { show_id: show.id, count: 2 } });
  expect(hold.status(), await hold.text()).toBe(201);
  const seatIds: string[] = (await hold.json()).seat_ids;
  const paid = await request.post("/v1/checkout", {
    headers: customer,
    data: { hold_id: (await hold.json()).id, payment: { card_number: "4242424242424242" } },
  });
  expect(paid.status(), await paid.text()).toBe(201);
  const booking = (await paid.json()).booking;
  expect(booking.status).toBe("confirmed");
  const { cinema, session } = await sessionOf(pos, cursor, seatIds, SOLD);

  // The box office sells one of them again, over Marquee's sale; the POS pushes it to Marquee.
  const lost = seatIds[0];
  await pos.sell(cinema, session, lost, true);
  let conflictId = "";
  await expect
    .poll(
      async () => {
        const open = await request.get("/v1/admin/conflicts?connector_id=restline&limit=200", { headers: admin });
        const mine = (await open.json()).items.filter(
          (c: { kind: string; detail: { booking_id?: string } }) =>
            c.kind === "pos_sold_booked_seat" && c.detail.booking_id === booking.id,
        );
        conflictId = mine[0]?.id ?? "";
        return mine.length;
      },
      { message: "the box-office sale raises one conflict", timeout: 15_000 },
    )
    .toBe(1);

  const label = (await seats(request, show.id)).find((s) => s.id === lost)!.label;
  const movie = await (await request.get(`/v1/movies/${show.movie_id}`)).json();
  const original = await (
    await request.get(`/v1/movies/${show.movie_id}`, { headers: { "Accept-Language": movie.original_language } })
  ).json();

  await signInTo(page, ADMIN, "/admin/conflicts?connector_id=restline");
  await expect(page.getByRole("heading", { name: "Sync conflicts" })).toBeVisible();
  const card = page.getByRole("article", { name: `Conflict ${conflictId}` });
  await expect(card).toBeVisible();
  await expect(card.getByRole("heading")).toHaveText("The theatre's POS sold a seat a customer booked");
  // What an admin reads, not ids: the film, the theatre, the show at the theatre's own clock,
  // the seat as printed, the customer's booking and what the POS claims.
  await expect(fact(card, "Film")).toHaveText(original.title);
  await expect(fact(card, "Theatre")).toHaveText(theatre.name);
  const time = fact(card, "Show").locator("time");
  await expect(time).toHaveAttribute("datetime", show.local_start);
  await expect(time).toContainText(show.local_start.slice(11, 16));
  await expect(fact(card, "Seat")).toHaveText(label);
  await expect(fact(card, "Booking")).toContainText(booking.code);
  await expect(fact(card, "Booking")).toContainText(`confirmed`);
  await expect(fact(card, "The POS claims")).toContainText(`Seat ${label} is sold`);
  await expect(card).not.toContainText(show.id);
  await expect(card).not.toContainText(theatre.id);
  await checkA11y(page, "admin conflicts");
  await shot(page, "admin-conflict");

  await card.getByRole("button", { name: "refund customer" }).click();
  await expect(page.getByRole("status")).toContainText(`Resolved with refund customer. Booking ${booking.code} is failed.`);
  await expect(card).toHaveCount(0); // off the open queue
  // The action took effect: the booking failed and the customer's payment is refunded in full.
  const after = await (await request.get(`/v1/bookings/${booking.id}`, { headers: customer })).json();
  expect(after.status).toBe("failed");
  expect(after.payments.map((p: { status: string }) => p.status)).toEqual(["refunded"]);
  await page.getByRole("button", { name: "Resolved", exact: true }).click();
  await expect(page.getByRole("article", { name: `Conflict ${conflictId}` })).toContainText(
    "Resolved: refund_customer",
  );
});

/** The mapping with its seat push's status line replaced (the seat events feed keeps its own). */
function withPushStatus(text: string, status: string): string {
  const [head, push] = text.split("\n  seat_push:\n");
  expect(push, "restline's mapping has a seat_push entity").toBeTruthy();
  const changed = push.replace(GOOD, status);
  expect(changed, `the seat push reads ${GOOD}`).not.toBe(push);
  return `${head}\n  seat_push:\n${changed}`;
}

test.describe("a dead letter", () => {
  let shipped = new Set<string>();
  test.beforeAll(() => {
    shipped = new Set(readdirSync(RESTLINE_DIR));
  });

  test.afterAll(async ({ request }) => {
    const admin = await bearer(request, ADMIN);
    const connector = await (await request.get("/v1/admin/connectors/restline", { headers: admin })).json();
    if (connector.mapping !== MAPPING) {
      await request.patch("/v1/admin/connectors/restline", { headers: admin, data: { mapping: MAPPING } });
    }
    for (const name of readdirSync(RESTLINE_DIR)) {
      if (SAVED.test(name) && !shipped.has(name)) rmSync(`${RESTLINE_DIR}/${name}`);
    }
  });

  test("a box-office sale the mapping could not read imports after the admin fixes the mapping in the editor and replays it", async ({
    page,
    request,
  }) => {
    const admin = await bearer(request, ADMIN);
    const pos = await restline(request, admin);
    const { cursor } = await pos.events("0");
    const { show } = await restlineShow(request, 2);
    const mappingUrl = "/v1/admin/connectors/restline/mapping";

    // Where the show is at the POS: a customer's hold is forwarded to it (then let go).
    const customer = await newCustomer(request);
    const hold = await request.post("/v1/holds", { headers: customer, data: { show_id: show.id, count: 1 } });
    expect(hold.status(), await hold.text()).toBe(201);
    const held: string[] = (await hold.json()).seat_ids;
    const { cinema, session } = await sessionOf(pos, cursor, held, HELD);
    expect((await request.delete(`/v1/holds/${(await hold.json()).id}`, { headers: customer })).ok()).toBeTruthy();

    // Someone edits the connector's mapping wrongly (through the same API the editor uses).
    const shippedMapping = await (await request.get(mappingUrl, { headers: admin })).json();
    expect(shippedMapping.path).toBe(MAPPING);
    const wrong = withPushStatus(shippedMapping.text, BAD);
    const broken = await request.put(mappingUrl, {
      headers: { ...admin, "If-Match": shippedMapping.etag },
      data: { text: wrong },
    });
    expect(broken.ok(), await broken.text()).toBeTruthy();
    const brokenPath: string = (await broken.json()).path;
    expect(brokenPath).toMatch(SAVED_PATH);

    // The box office sells a free seat; its push fails to map, so Marquee still offers the seat.
    const free = (await seats(request, show.id)).filter(
      (s) => s.status === "available" && !s.flags.length && !s.group && !held.includes(s.id),
    );
    const seat = free[free.length - 1];
    await pos.sell(cinema, session, seat.id, false);
    let deadId = "";
    let deadPayload = "";
    await expect
      .poll(
        async () => {
          const open = await request.get("/v1/admin/dead-letters?connector_id=restline&limit=200", { headers: admin });
          const mine = (await open.json()).items.filter((d: { payload: string }) => {
            try {
              const push = JSON.parse(d.payload);
              return push.SessionId === session && push.CinemaId === cinema;
            } catch {
              return false; // not a restline push
            }
          });
          deadId = mine[0]?.id ?? "";
          deadPayload = mine[0]?.payload ?? "";
          return mine.length;
        },
        { message: "the unreadable push is kept as one dead letter", timeout: 15_000 },
      )
      .toBe(1);
    const statusOf = async () => (await seats(request, show.id)).find((s) => s.id === seat.id)!.status;
    expect(await statusOf()).toBe("available");

    await signInTo(page, ADMIN, "/admin/dead-letters?connector_id=restline");
    const card = page.getByRole("article", { name: `Dead letter ${deadId}` });
    await expect(card).toContainText("Field required");
    await expect(card).toContainText("field changes.0.status");
    await checkA11y(page, "admin dead letters");
    await shot(page, "admin-dead-letter");
    // Replayed before the fix, it fails and stays open with the reason.
    await card.getByRole("button", { name: "Replay", exact: true }).click();
    await expect(page.getByRole("alert")).toContainText(`${deadId}: replay failed`);
    await expect(card).toBeVisible();

    // The admin opens the connector's mapping editor: the wrong text, where it lives.
    await page.goto("/admin/connectors/restline");
    await expect(page.getByRole("heading", { name: "Mapping", exact: true })).toBeVisible();
    await page.getByRole("link", { name: "Open the mapping editor" }).click();
    await expect(page.getByRole("heading", { name: "Mapping of restline" })).toBeVisible();
    const editor = page.getByLabel("Mapping YAML");
    await expect(editor).toHaveValue(wrong);
    await expect(page.getByText(brokenPath, { exact: true })).toBeVisible();

    // A dry run of the dead letter's payload shows why it fails.
    await page.getByText("Dry run on a sample payload").click();
    await page.getByLabel("Entity").selectOption("seat_push");
    await page.getByLabel("Sample payload").fill(deadPayload);
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await expect(page.getByText("0 record(s) mapped, 1 dead letter(s).")).toBeVisible();
    await expect(page.getByText(/field changes\.0\.status: Field required/)).toBeVisible();

    // A first fix with a typo: Validate lists the problem beside the editor, by line.
    const typo = withPushStatus(shippedMapping.text, TYPO);
    await editor.fill(typo);
    await page.getByRole("button", { name: "Validate" }).click();
    await expect(page.getByRole("alert")).toContainText("1 problem in the mapping");
    const problems = page.getByRole("list", { name: "Mapping problems" });
    const line = typo.split("\n").findIndex((l) => l.includes(TYPO)) + 1;
    await expect(problems).toContainText("unknown key `pth` (did you mean `path`?)");
    await problems.getByRole("button", { name: new RegExp(`^Line ${line}, column \\d+$`) }).click();
    await expect(editor).toBeFocused();
    const selected = await editor.evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd));
    expect(selected.trim()).toBe(TYPO);
    await checkA11y(page, "admin mapping editor with a problem");
    await shot(page, "admin-mapping-editor");

    // Meanwhile another admin saves the mapping: the admin's save is refused, not overwriting it.
    const theirs = await (await request.get(mappingUrl, { headers: admin })).json();
    const signed = `# Checked by the other admin.\n${theirs.text}`;
    const other = await request.put(mappingUrl, {
      headers: { ...admin, "If-Match": theirs.etag },
      data: { text: signed },
    });
    expect(other.ok(), await other.text()).toBeTruthy();
    await editor.fill(shippedMapping.text);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(page.getByRole("alert")).toContainText("Someone changed this mapping since you opened it");
    await page.getByRole("button", { name: "Load the current mapping" }).click();
    await expect(editor).toHaveValue(signed);

    // The fix, on top of their text: valid, saved as the connector's next file.
    const fixed = signed.replace(BAD, GOOD); // only the seat push read the wrong field
    await editor.fill(fixed);
    await page.getByRole("button", { name: "Validate" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Valid: restline" })).toBeVisible();
    await expect(problems).toHaveCount(0);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const saved = page.getByRole("status").filter({ hasText: "Saved as mappings/restline/mapping.restline.v" });
    await expect(saved).toBeVisible();
    await expect(editor).toHaveValue(fixed);
    // The same payload now maps.
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await expect(page.getByText("1 record(s) mapped, 0 dead letter(s).")).toBeVisible();
    const now = await (await request.get("/v1/admin/connectors/restline", { headers: admin })).json();
    expect(now.mapping).not.toBe(brokenPath);
    expect(now.mapping).toMatch(SAVED_PATH);

    await page.goto("/admin/dead-letters?connector_id=restline");
    await page.getByRole("article", { name: `Dead letter ${deadId}` }).getByRole("button", { name: "Replay", exact: true }).click();
    await expect(page.getByRole("status").filter({ hasText: `${deadId}: replayed` })).toBeVisible();
    await expect(page.getByRole("article", { name: `Dead letter ${deadId}` })).toHaveCount(0);
    // It imported: the seat the box office sold is no longer offered online.
    expect(await statusOf()).not.toBe("available");
    const replayed = await (await request.get(`/v1/admin/dead-letters/${deadId}`, { headers: admin })).json();
    expect(replayed.status).toBe("replayed");
    // Every save is in the audit log, the shipped file untouched.
    const audit = await (
      await request.get("/v1/admin/audit-log?action=connector.mapping_save&limit=5", { headers: admin })
    ).json();
    expect(audit.items[0].detail.to).toBe(now.mapping);
    expect((await (await request.get(mappingUrl, { headers: admin })).json()).text).toBe(fixed);
  });
});
