import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { api, problemOf, type Schemas } from "../api/client";
import { formatDateTime, formatMoney } from "../api/money";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { categoryViews, colourStyle } from "../seatmap/categories";
import { buildPlan, changedSeats, fittedSeatSize, isFree, toggle, validate } from "../seatmap/logic";
import { keepPendingSeats, takePendingSeats } from "../seatmap/pending";
import type { Refusal, Seat } from "../seatmap/logic";
import { SeatGrid } from "../seatmap/SeatGrid";
import { useSession } from "../session";
import { Alert, Button, Loading } from "../ui";

type SeatMap = Schemas["SeatMapOut"];
type ShowInfo = Schemas["StorefrontShow"];
const POLL_MS = 1000;

declare global {
  interface Window {
    __marquee?: { seatMapInteractiveMs?: number; seatMapCommitMs?: number; seatMapSeats?: number };
  }
}

export default function SeatMapPage() {
  const { showId = "" } = useParams();
  const { t, locale } = useI18n();
  const { user } = useSession();
  const navigate = useNavigate();
  const [info, setInfo] = useState<ShowInfo | null>(null);
  const [map, setMap] = useState<SeatMap | null>(null);
  const [startedAt, setStartedAt] = useState<number | undefined>(undefined);
  const [statuses, setStatuses] = useState<Record<string, string>>({});
  const [selection, setSelection] = useState<string[]>([]);
  const [message, setMessage] = useState<{ kind: "error" | "info"; text: string } | null>(null);
  const [count, setCount] = useState(2);
  const [busy, setBusy] = useState(false);
  const [width, setWidth] = useState(() => window.innerWidth);
  const [zoom, setZoom] = useState(1);
  const etag = useRef<string | null>(null);
  const firstMap = useRef(false);
  const holder = useRef<HTMLDivElement>(null);

  useEffect(() => {
    void api
      .GET("/v1/storefront/shows/{show_id}", { params: { path: { show_id: showId } } })
      .then(({ data, error }) => {
        if (data) setInfo(data);
        else setMessage({ kind: "error", text: error?.detail ?? "unknown show" });
      });
  }, [showId, locale]);

  // Live seats: server-sent events (a snapshot, then only the seats that changed); where they
  // cannot connect, a conditional GET every second (a 304 while nothing changed). Either way
  // only the seats whose status moved are redrawn.
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setInterval> | null = null;
    const apply = (seats: Record<string, string>, whole: boolean) =>
      setStatuses((before) => {
        const next = whole ? seats : { ...before, ...seats };
        return changedSeats(before, next).length ? next : before;
      });
    const poll = async () => {
      const headers: Record<string, string> = {};
      if (etag.current) headers["If-None-Match"] = etag.current;
      try {
        const response = await fetch(`/v1/shows/${encodeURIComponent(showId)}/seat-map`, {
          headers,
          cache: "no-store",
          credentials: "same-origin",
        });
        if (!live || response.status === 304 || !response.ok) return;
        const body = (await response.json()) as SeatMap;
        etag.current = response.headers.get("ETag");
        if (!firstMap.current) {
          firstMap.current = true;
          setStartedAt(performance.now());
          setMap(body);
        }
        apply(Object.fromEntries(body.seats.map((s) => [s.id, s.status])), true);
      } catch {
        /* offline for a moment: the next poll catches up */
      }
    };
    const startPolling = () => {
      timer ??= setInterval(poll, POLL_MS);
    };
    void poll(); // the layout itself, once
    let source: EventSource | null = null;
    if (typeof EventSource === "function") {
      source = new EventSource(`/v1/shows/${encodeURIComponent(showId)}/seat-events`);
      const onData = (whole: boolean) => (e: MessageEvent<string>) =>
        apply((JSON.parse(e.data) as { seats: Record<string, string> }).seats, whole);
      source.addEventListener("snapshot", onData(true));
      source.addEventListener("seats", onData(false));
      source.onerror = () => {
        if (source?.readyState === EventSource.CLOSED) startPolling();
      };
    } else startPolling();
    return () => {
      live = false;
      source?.close();
      if (timer) clearInterval(timer);
    };
  }, [showId]);

  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => setWidth(entry.contentRect.width));
    observer.observe(el);
    return () => observer.disconnect();
  }, [map]);

  const plan = useMemo(() => (map ? buildPlan(map.seats as Seat[]) : null), [map]);
  const rules = info?.rules ?? {
    max_seats_per_hold: 10,
    no_orphan_seats: false,
    companion_requires_wheelchair: true,
  };

  // Back from signing in: the seats picked before are selected again if they are still free.
  const restored = useRef(false);
  useEffect(() => {
    if (restored.current || !plan || !Object.keys(statuses).length) return;
    restored.current = true;
    const free = takePendingSeats(showId).filter((id) => {
      const seat = plan.byId.get(id);
      return seat !== undefined && isFree(seat, statuses[id] ?? seat.status);
    });
    if (!free.length) return;
    setSelection(free);
    const labels = free.map((id) => plan.byId.get(id)?.label ?? id).join(", ");
    setMessage({ kind: "info", text: t("seat.restored", { seats: labels }) });
  }, [plan, statuses, showId, t]);

  // Seats someone else took while they were in this selection leave it, and the customer is told.
  useEffect(() => {
    const gone = selection.filter((id) => statuses[id] && statuses[id] !== "available");
    if (gone.length) {
      setSelection((s) => s.filter((id) => !gone.includes(id)));
      const labels = gone.map((id) => plan?.byId.get(id)?.label ?? id).join(", ");
      setMessage({ kind: "error", text: t("seat.gone", { seats: labels }) });
    }
  }, [statuses, selection, plan, t]);

  const explain = useCallback(
    (refusal: Refusal): string => {
      const labels = (ids: string[]) => ids.map((id) => plan?.byId.get(id)?.label ?? id).join(", ");
      switch (refusal.kind) {
        case "max":
          return t("rule.max", { max: refusal.max });
        case "orphan":
          return t("rule.orphan", { seats: labels(refusal.seats) });
        case "companion":
          return t("rule.companion");
        case "unavailable":
          return t("rule.unavailable", { label: labels(refusal.seats) });
      }
    },
    [plan, t],
  );

  const onPick = useCallback(
    (id: string) => {
      if (!plan) return;
      setSelection((current) => {
        const result = toggle(plan, current, id, rules, statuses);
        if ("refusal" in result) {
          setMessage({ kind: "error", text: explain(result.refusal) });
          return current;
        }
        setMessage(null);
        return result.selection;
      });
    },
    [plan, rules, statuses, explain],
  );

  const categories = map?.categories ?? {};
  const priceOf = (seat: Seat) => categories[seat.category]?.price;
  const statusWord: Record<string, MessageKey> = {
    available: "seat.available",
    held: "seat.held",
    sold: "seat.sold",
    blocked: "seat.blocked",
  };
  const views = useMemo(() => (map ? categoryViews(map, t) : []), [map, t]);
  const byCode = useMemo(() => new Map(views.map((v) => [v.code, v])), [views]);
  const slots = useMemo(() => Object.fromEntries(views.map((v) => [v.code, v.slot])), [views]);
  const colours = useMemo(
    () => Object.fromEntries(views.flatMap((v) => (v.colour ? [[v.code, v.colour]] : []))),
    [views],
  );
  const priceLabels = useMemo(
    () =>
      Object.fromEntries(views.map((v) => [v.code, v.price ? formatMoney(v.price, locale) : ""])),
    [views, locale],
  );
  const labelFor = useCallback(
    (seat: Seat, status: string, selected: boolean) => {
      const flags = [
        seat.flags.includes("wheelchair") ? t("seat.wheelchair") : "",
        seat.flags.includes("companion") ? t("seat.companion") : "",
        seat.group ? t("seat.sofa") : "",
      ].filter(Boolean);
      const state = seat.flags.includes("blocked") ? "blocked" : status;
      return [
        t("seat.aria", {
          label: seat.label,
          row: seat.row,
          category: byCode.get(seat.category)?.name ?? seat.category,
          price: priceLabels[seat.category] ?? "",
          status: selected ? t("seat.selected") : t(statusWord[state] ?? "seat.blocked"),
        }),
        ...flags,
      ].join(", ");
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [priceLabels, byCode, t],
  );

  // The theatre's booking fee per ticket is part of what the customer pays.
  const fee = info?.show.booking_fee?.amount ?? 0;
  const total = selection.reduce((sum, id) => {
    const seat = plan?.byId.get(id);
    return sum + (seat ? (priceOf(seat)?.amount ?? 0) + fee : 0);
  }, 0);
  const currency = Object.values(categories).find(Boolean)?.price.currency ?? "INR";

  const bestAvailable = async () => {
    const { data, error } = await api.GET("/v1/shows/{show_id}/best-available", {
      params: { path: { show_id: showId }, query: { count } },
    });
    if (error) return setMessage({ kind: "error", text: error.detail ?? error.title });
    if (!data.seat_ids.length) {
      return setMessage({ kind: "error", text: t("rule.unavailable", { label: `${count}` }) });
    }
    setSelection(data.seat_ids);
    setMessage(null);
  };

  const hold = async () => {
    if (!plan) return;
    const refusal = validate(plan, selection, rules, statuses);
    if (refusal) return setMessage({ kind: "error", text: explain(refusal) });
    if (!user) {
      keepPendingSeats(showId, selection);
      setMessage({ kind: "info", text: t("auth.signInToBook") });
      navigate(`/sign-in?next=${encodeURIComponent(`/shows/${showId}`)}`);
      return;
    }
    setBusy(true);
    const { data, error } = await api.POST("/v1/holds", {
      body: { show_id: showId, seat_ids: selection },
    });
    setBusy(false);
    if (data) {
      setSelection([]); // ours now: the live update that follows is not "taken by someone"
      navigate(`/checkout/${data.id}`);
      return;
    }
    const problem = problemOf(error);
    if (problem?.seats?.length) {
      const taken = problem.seats;
      setStatuses((s) => ({ ...s, ...Object.fromEntries(taken.map((id) => [id, "sold"])) }));
      const labels = taken.map((id) => plan.byId.get(id)?.label ?? id).join(", ");
      setMessage({ kind: "error", text: t("seat.gone", { seats: labels }) });
    } else {
      setMessage({ kind: "error", text: problem?.detail ?? t("common.error", { detail: "" }) });
    }
  };

  if (!map || !plan) {
    return message ? (
      <Alert kind="error">{message.text}</Alert>
    ) : (
      <Loading label={t("common.loading")} />
    );
  }

  const tz = info?.theatre.timezone ?? "UTC";
  const fitted = fittedSeatSize(plan, width);
  const seatSize = Math.round(fitted * zoom);

  return (
    <div className="stack">
      <div>
        <h1>
          {t("seat.title")}
          {info?.movie?.title ? ` — ${info.movie.title}` : ""}
        </h1>
        {info && (
          // Each part isolated (<bdi>): a Latin theatre name, an Arabic date and "2D" keep their
          // own direction and stay in reading order in a right-to-left page.
          <p className="muted show-line" data-testid="show-line">
            <bdi>{info.theatre.name}</bdi>
            {info.show.screen_name && (
              <>
                {" · "}
                <bdi>{info.show.screen_name}</bdi>
              </>
            )}
            {" · "}
            <bdi>
              <time dateTime={info.show.local_start}>{formatDateTime(info.show.start, tz, locale)}</time>
            </bdi>
            {" · "}
            <bdi>{info.show.format}</bdi>
          </p>
        )}
      </div>
      <section aria-label={t("seat.legend")} className="card stack">
        <ul className="legend" aria-label={t("seat.categories")} data-testid="category-legend">
          {views.map((v) => (
            <li key={v.code} data-category={v.code}>
              <span className={`seat cat-slot-${v.slot}`} style={colourStyle(v.colour)} aria-hidden="true" />
              <span className="category-name">{v.name}</span>
              {v.price && <span>{formatMoney(v.price, locale)}</span>}
            </li>
          ))}
        </ul>
        <ul className="legend">
          <li>
            <span className="seat selected" aria-hidden="true" />
            {t("seat.selected")}
          </li>
          <li>
            <span className="seat st-sold" aria-hidden="true" />
            {t("seat.sold")}
          </li>
          <li>
            <span className="seat st-held" aria-hidden="true" />
            {t("seat.held")}
          </li>
          <li>
            <span className="seat" aria-hidden="true">
              ♿
            </span>
            {t("seat.wheelchair")}
          </li>
          <li>
            <span className="seat" aria-hidden="true">
              C
            </span>
            {t("seat.companion")}
          </li>
          <li>
            <span className="seat sofa sofa-start" aria-hidden="true" />
            <span className="seat sofa sofa-end" aria-hidden="true" />
            {t("seat.sofa")}
          </li>
        </ul>
        <div className="row">
          <label htmlFor="best-count">{t("seat.count")}</label>
          <select
            id="best-count"
            value={count}
            onChange={(e) => setCount(Number(e.target.value))}
            style={{ minHeight: 44 }}
          >
            {Array.from({ length: rules.max_seats_per_hold }, (_, i) => i + 1).map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
          <Button onClick={bestAvailable}>{t("seat.best")}</Button>
          <span className="muted" aria-live="off">
            ● {t("seat.live")}
          </span>
        </div>
        <div className="row">
          <Button small onClick={() => setZoom(1)} aria-label={t("seat.zoomFit")}>
            ⤢
          </Button>
          <Button small onClick={() => setZoom((z) => Math.min(3, z * 1.4))} aria-label={t("seat.zoomIn")}>
            +
          </Button>
          <Button small onClick={() => setZoom((z) => Math.max(1, z / 1.4))} aria-label={t("seat.zoomOut")}>
            −
          </Button>
        </div>
      </section>
      <div aria-live="assertive">{message && <Alert kind={message.kind}>{message.text}</Alert>}</div>
      <div ref={holder}>
        <SeatGrid
          plan={plan}
          statuses={statuses}
          selection={selection}
          seatSize={seatSize}
          labelFor={labelFor}
          onPick={onPick}
          screenLabel={t("seat.screen")}
          categorySlots={slots}
          categoryColours={colours}
          startedAt={startedAt}
          onInteractive={(ms, commitMs) => {
            window.__marquee = {
              seatMapInteractiveMs: ms,
              seatMapCommitMs: commitMs,
              seatMapSeats: map.seats.length,
            };
          }}
        />
      </div>
      <div className="selection-bar">
        <span>
          {selection.length > 0
            ? t("seat.selectedCount", {
                count: selection.length,
                total: formatMoney({ amount: total, currency }, locale),
              })
            : ""}{" "}
          <span className="muted">
            {selection.map((id) => plan.byId.get(id)?.label ?? id).join(", ")}
          </span>
        </span>
        <span className="row">
          {selection.length > 0 && <Button onClick={() => setSelection([])}>{t("seat.clear")}</Button>}
          <Button variant="primary" disabled={!selection.length || busy} onClick={hold}>
            {t("seat.hold", { count: selection.length })}
          </Button>
        </span>
      </div>
    </div>
  );
}
