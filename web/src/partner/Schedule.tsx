// Schedule and prices of one theatre: a week calendar per screen (overlaps and the cleaning gap
// marked), a form that creates a show or repeats it on chosen weekdays over a date range,
// prices for one show or many at once, and cancelling a show after seeing what it would mean.
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { api, problemOf, type Schemas } from "../api/client";
import { formatMoney } from "../api/money";
import { Alert, Button, Card, Field, Select } from "../ui";
import { addDays, isoDay } from "./analytics";
import "./portal.css";

type Show = Schemas["ShowOut"];
type Preview = {
  live_bookings: number;
  tickets: number;
  customers: number;
  refunds: { currency: string; amount: number }[];
  cancellable_now: boolean;
  note: string;
};

const CLEANING_MINUTES = 15;
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

function monday(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return addDays(day, -((d.getUTCDay() + 6) % 7));
}

/** Shows that start before the previous one on the screen ended plus the cleaning gap. */
export function clashes(shows: Show[]): Set<string> {
  const out = new Set<string>();
  const byScreen = new Map<string, Show[]>();
  for (const s of shows) byScreen.set(s.screen_id, [...(byScreen.get(s.screen_id) ?? []), s]);
  for (const list of byScreen.values()) {
    list.sort((a, b) => a.start.localeCompare(b.start));
    for (let i = 1; i < list.length; i++) {
      const gap = (Date.parse(list[i].start) - Date.parse(list[i - 1].end)) / 60_000;
      if (gap < CLEANING_MINUTES) {
        out.add(list[i].id);
        out.add(list[i - 1].id);
      }
    }
  }
  return out;
}

export default function Schedule() {
  const { theatreId = "" } = useParams();
  const [theatre, setTheatre] = useState<Schemas["TheatreOut"] | null>(null);
  const [screens, setScreens] = useState<Schemas["ScreenOut"][]>([]);
  const [screenId, setScreenId] = useState("");
  const [movies, setMovies] = useState<Schemas["MovieOut"][]>([]);
  const [categories, setCategories] = useState<string[]>([]);
  const [shows, setShows] = useState<Show[]>([]);
  const [week, setWeek] = useState(monday(addDays(isoDay(new Date()), 1)));
  const [messages, setMessages] = useState<{ kind: "ok" | "error"; text: string }[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [preview, setPreview] = useState<{ show: Show; data: Preview } | null>(null);
  // The form.
  const [movieId, setMovieId] = useState("");
  const [language, setLanguage] = useState("en");
  const [format, setFormat] = useState("2D");
  const [time, setTime] = useState("19:00");
  const [from, setFrom] = useState(addDays(isoDay(new Date()), 1));
  const [until, setUntil] = useState(addDays(isoDay(new Date()), 1));
  const [days, setDays] = useState<Set<number>>(new Set([0, 1, 2, 3, 4, 5, 6]));
  const [prices, setPrices] = useState<Record<string, string>>({});

  const load = useCallback(async () => {
    // Every page: the calendar needs the whole schedule to mark overlaps.
    const all: Show[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const { data } = await api.GET("/v1/partner/theatres/{theatre_id}/shows", {
        params: { path: { theatre_id: theatreId }, query: { limit: 100, cursor } },
      });
      all.push(...(data?.items ?? []));
      if (!data?.next_cursor) break;
      cursor = data.next_cursor;
    }
    setShows(all);
  }, [theatreId]);

  useEffect(() => {
    api.GET("/v1/partner/theatres/{theatre_id}", { params: { path: { theatre_id: theatreId } } }).then(({ data }) =>
      setTheatre(data ?? null),
    );
    api.GET("/v1/partner/theatres/{theatre_id}/screens", { params: { path: { theatre_id: theatreId } } }).then(({ data }) => {
      setScreens(data ?? []);
      if (data?.length) setScreenId(data[0].id);
    });
    api.GET("/v1/movies").then(({ data }) => {
      setMovies(data?.items ?? []);
      if (data?.items.length) setMovieId(data.items[0].id);
    });
    void load();
  }, [theatreId, load]);

  useEffect(() => {
    if (!screenId) return;
    api.GET("/v1/partner/screens/{screen_id}/layout", { params: { path: { screen_id: screenId } } }).then(({ data }) =>
      setCategories(data?.categories ?? []),
    );
  }, [screenId]);

  const weekDays = useMemo(() => Array.from({ length: 7 }, (_, i) => addDays(week, i)), [week]);
  const onScreen = shows.filter((s) => s.screen_id === screenId);
  const clashing = useMemo(() => clashes(onScreen), [onScreen]);
  const currency = theatre?.currency ?? "INR";
  const minor = (value: string) => Math.round(Number(value) * 100);

  const ticketTypes = () =>
    categories
      .filter((c) => prices[c])
      .map((c) => ({ code: "ADULT", name: "Adult", category: c, price: { amount: minor(prices[c]), currency } }));

  const create = async () => {
    const out: { kind: "ok" | "error"; text: string }[] = [];
    for (let day = from; day <= until; day = addDays(day, 1)) {
      const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
      if (!days.has(weekday)) continue;
      const start = new Date(`${day}T${time}:00`);
      const offset = localOffset(theatre?.timezone ?? "UTC", start);
      const { error } = await api.POST("/v1/partner/theatres/{theatre_id}/shows", {
        params: { path: { theatre_id: theatreId } },
        body: {
          screen_id: screenId,
          movie_id: movieId,
          start: `${day}T${time}:00${offset}`,
          language,
          format: format as Schemas["ShowIn"]["format"],
          ticket_types: ticketTypes(),
          sales_cutoff_minutes: 0,
        },
      });
      out.push(
        error
          ? { kind: "error", text: `${day} ${time}: ${problemOf(error)?.detail ?? "refused"}` }
          : { kind: "ok", text: `${day} ${time}: scheduled` },
      );
    }
    setMessages(out.length ? out : [{ kind: "error", text: "No day in the range matches the chosen weekdays." }]);
    await load();
  };

  const setPricesFor = async (ids: string[]) => {
    const types = ticketTypes();
    if (!types.length) {
      setMessages([{ kind: "error", text: "Enter at least one price." }]);
      return;
    }
    const out: { kind: "ok" | "error"; text: string }[] = [];
    for (const id of ids) {
      const { error } = await api.PUT("/v1/partner/shows/{show_id}/prices", {
        params: { path: { show_id: id } },
        body: { ticket_types: types },
      });
      out.push(error ? { kind: "error", text: `${id}: ${problemOf(error)?.detail}` } : { kind: "ok", text: `${id}: prices set` });
    }
    setMessages(out);
    setSelected(new Set());
    await load();
  };

  const askCancel = async (show: Show) => {
    const { data } = await (api.GET as (p: string, o: object) => Promise<{ data?: unknown }>)(
      "/v1/partner/shows/{show_id}/cancel-preview",
      { params: { path: { show_id: show.id } } },
    );
    if (data) setPreview({ show, data: data as Preview });
  };

  const cancel = async (show: Show) => {
    const { error } = await api.DELETE("/v1/partner/shows/{show_id}", { params: { path: { show_id: show.id } } });
    setMessages([error ? { kind: "error", text: problemOf(error)?.detail ?? "refused" } : { kind: "ok", text: `${show.id} cancelled` }]);
    setPreview(null);
    await load();
  };

  return (
    <div className="stack">
      <h1>Schedule: {theatre?.name ?? theatreId}</h1>
      <p>
        <Link to="/partner/theatres">Back to theatres</Link>
      </p>
      {messages.map((m, i) => (
        <Alert key={i} kind={m.kind}>
          {m.text}
        </Alert>
      ))}
      <div className="filters">
        <Select label="Screen" value={screenId} onChange={setScreenId} options={screens.map((s) => ({ value: s.id, label: s.name }))} />
        <Button small onClick={() => setWeek(addDays(week, -7))}>
          Previous week
        </Button>
        <span aria-live="polite">Week of {week}</span>
        <Button small onClick={() => setWeek(addDays(week, 7))}>
          Next week
        </Button>
      </div>
      <Card>
        <h2>Week</h2>
        <div className="week" tabIndex={0}>
          {weekDays.map((day, i) => (
            <section key={day} className="week-day" aria-label={`${WEEKDAYS[i]} ${day}`}>
              <h3>
                {WEEKDAYS[i]} <span className="muted">{day.slice(5)}</span>
              </h3>
              {onScreen
                .filter((s) => s.business_date === day)
                .sort((a, b) => a.start.localeCompare(b.start))
                .map((s) => (
                  <article key={s.id} className={`show-block${clashing.has(s.id) ? " clash" : ""}`} aria-label={`Show ${s.id}`}>
                    <label className="row">
                      <input
                        type="checkbox"
                        aria-label={`Select ${s.id}`}
                        checked={selected.has(s.id)}
                        onChange={(e) => {
                          const next = new Set(selected);
                          if (e.target.checked) next.add(s.id);
                          else next.delete(s.id);
                          setSelected(next);
                        }}
                      />
                      <strong>{s.local_start.slice(11, 16)}</strong>
                    </label>
                    <span>{movies.find((m) => m.id === s.movie_id)?.title ?? s.movie_id}</span>
                    <span className="muted">
                      {s.language} · {s.format}
                    </span>
                    <span>{s.prices.map((p) => `${p.category} ${formatMoney(p.price, "en")}`).join(", ") || "no prices"}</span>
                    {clashing.has(s.id) && <strong className="clash-text">Overlap / no cleaning gap</strong>}
                    <Button small variant="link" onClick={() => askCancel(s)}>
                      Cancel…
                    </Button>
                  </article>
                ))}
            </section>
          ))}
        </div>
      </Card>
      {preview && (
        <Card>
          <h2>Cancel {preview.show.id}?</h2>
          <p>
            {preview.data.live_bookings} live booking(s), {preview.data.tickets} ticket(s), {preview.data.customers} customer(s) to notify.
          </p>
          {preview.data.refunds.map((r) => (
            <p key={r.currency}>Refunds: {formatMoney(r, "en")}</p>
          ))}
          {!preview.data.cancellable_now && <Alert kind="error">{preview.data.note}</Alert>}
          <div className="row">
            <Button variant="danger" disabled={!preview.data.cancellable_now} onClick={() => cancel(preview.show)}>
              Confirm cancellation
            </Button>
            <Button onClick={() => setPreview(null)}>Keep the show</Button>
          </div>
        </Card>
      )}
      <Card>
        <h2>Prices ({currency})</h2>
        <div className="row">
          {categories.map((c) => (
            <Field key={c} label={`Price ${c}`} type="number" min={0} step="0.01" value={prices[c] ?? ""} onChange={(e) => setPrices({ ...prices, [c]: e.target.value })} />
          ))}
        </div>
        <Button small disabled={!selected.size} onClick={() => setPricesFor([...selected])}>
          Set prices of selected shows ({selected.size})
        </Button>
      </Card>
      <Card>
        <h2>New shows</h2>
        <div className="row">
          <Select label="Movie" value={movieId} onChange={setMovieId} options={movies.map((m) => ({ value: m.id, label: m.title ?? m.id }))} />
          <Field label="Language" value={language} onChange={(e) => setLanguage(e.target.value)} />
          <Select label="Format" value={format} onChange={setFormat} options={["2D", "3D", "IMAX"].map((f) => ({ value: f, label: f }))} />
          <Field label="Start time" type="time" value={time} onChange={(e) => setTime(e.target.value)} />
          <Field label="First day" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          <Field label="Last day" type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
        </div>
        <fieldset className="row">
          <legend>Repeat on</legend>
          {WEEKDAYS.map((d, i) => (
            <label key={d} className="tag">
              <input
                type="checkbox"
                checked={days.has(i)}
                onChange={(e) => {
                  const next = new Set(days);
                  if (e.target.checked) next.add(i);
                  else next.delete(i);
                  setDays(next);
                }}
              />{" "}
              {d}
            </label>
          ))}
        </fieldset>
        <p className="muted">The prices above are used for the new shows.</p>
        <Button variant="primary" onClick={create} disabled={!screenId || !movieId}>
          Schedule
        </Button>
      </Card>
    </div>
  );
}

/** "+05:30" for the theatre's zone at that wall-clock time. */
function localOffset(timeZone: string, at: Date): string {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" }).formatToParts(at);
  const name = parts.find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const match = name.match(/GMT([+-]\d{2}):?(\d{2})?/);
  return match ? `${match[1]}:${match[2] ?? "00"}` : "+00:00";
}
