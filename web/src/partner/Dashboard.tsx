// The sales dashboard: totals and money per currency, occupancy heat map, revenue per day,
// movie and screen, booking pace, cancellations, refunds and failed payments, CSV export.
// Every number is the analytics API's own (no arithmetic here beyond formatting).
import { useEffect, useState } from "react";
import { api } from "../api/client";
import { formatMoney } from "../api/money";
import { Alert, Card, Field, Loading } from "../ui";
import { addDays, csvHref, isoDay, NotFound, read, type Area } from "./analytics";
import { currencies, paceSeries, revenueByDay } from "./chartData";
import { BarChart, OccupancyHeatMap } from "./charts";
import type { BreakdownRow, FunnelStep, PacePoint, ReasonRow, ShowRow, Summary } from "./types";
import "./portal.css";

type Data = {
  summary: Summary;
  days: BreakdownRow[];
  movies: BreakdownRow[];
  screens: BreakdownRow[];
  shows: ShowRow[];
  pace: PacePoint[];
  reasons: ReasonRow[];
};

const percent = (rate: number | null) => (rate === null ? "–" : `${(rate * 100).toFixed(1)}%`);

export function Dashboard({ area, theatreId }: { area: Area; theatreId?: string }) {
  const today = isoDay(new Date());
  const [from, setFrom] = useState(addDays(today, -6));
  const [to, setTo] = useState(addDays(today, 7));
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const [theatreName, setTheatreName] = useState<string | null>(null);
  const query = { date_from: from, date_to: to, theatre_id: theatreId };

  useEffect(() => {
    if (!theatreId) return;
    api
      .GET("/v1/theatres/{theatre_id}", { params: { path: { theatre_id: theatreId } } })
      .then(({ data }) => setTheatreName(data?.name ?? null));
  }, [theatreId]);

  useEffect(() => {
    let live = true;
    setError(null);
    const q = { date_from: from, date_to: to, theatre_id: theatreId };
    Promise.all([
      read<Summary>(area, "summary", q),
      read<BreakdownRow[]>(area, "breakdown", { ...q, by: "day" }),
      read<BreakdownRow[]>(area, "breakdown", { ...q, by: "movie" }),
      read<BreakdownRow[]>(area, "breakdown", { ...q, by: "screen" }),
      read<ShowRow[]>(area, "shows", q),
      read<PacePoint[]>(area, "pace", q),
      read<ReasonRow[]>(area, "reasons", q),
    ])
      .then(([summary, days, movies, screens, shows, pace, reasons]) => {
        if (live) setData({ summary, days, movies, screens, shows, pace, reasons });
      })
      .catch((e: unknown) => {
        if (!live) return;
        if (e instanceof NotFound) setMissing(true);
        else setError(e instanceof Error ? e.message : String(e));
      });
    return () => {
      live = false;
    };
  }, [area, from, to, theatreId]);

  if (missing) {
    return (
      <Alert kind="error">
        <span data-testid="not-found">This theatre was not found.</span>
      </Alert>
    );
  }
  const s = data?.summary;
  return (
    <div className="stack">
      <h1>{theatreId ? `Sales: ${theatreName ?? "…"}` : "Sales dashboard"}</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Date range">
        <Field label="From" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        <Field label="To" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        <a className="btn small" href={csvHref(area, "breakdown.csv", { ...query, by: "day" })}>
          Export days (CSV)
        </a>
        <a className="btn small" href={csvHref(area, "shows.csv", query)}>
          Export shows (CSV)
        </a>
      </form>
      {error && <Alert kind="error">{error}</Alert>}
      {!data || !s ? (
        <Loading label="Loading the dashboard…" />
      ) : (
        <>
          <section aria-labelledby="kpi-h" className="stack">
            <h2 id="kpi-h">Totals</h2>
            <div className="kpis">
              <Kpi label="Bookings" value={s.counts.bookings} testId="kpi-bookings" />
              <Kpi label="Tickets" value={s.counts.tickets} testId="kpi-tickets" />
              {s.money.map((m) => (
                <Kpi
                  key={m.currency}
                  label={`Revenue (${m.currency})`}
                  value={formatMoney({ amount: m.revenue, currency: m.currency }, "en")}
                  testId={`kpi-revenue-${m.currency}`}
                />
              ))}
              <Kpi label="Occupancy" value={percent(s.occupancy.rate)} testId="kpi-occupancy" />
              <Kpi label="Cancellations" value={s.counts.cancellations} />
              <Kpi label="Refunds" value={s.counts.refunds} />
              <Kpi label="Failed payments" value={s.counts.failed_payments} />
              <Kpi label="Abandoned holds" value={`${s.abandonment.abandoned} (${percent(s.abandonment.rate)})`} />
              <Kpi label="Active customers" value={s.active_customers ?? "–"} />
            </div>
          </section>
          <Card>
            <Funnel steps={s.funnel} />
          </Card>
          <Card>
            <h2>Occupancy per show</h2>
            <OccupancyHeatMap shows={data.shows} />
          </Card>
          {currencies(data.days).map((currency) => (
            <Card key={currency}>
              <BarChart
                title={`Revenue per day (${currency})`}
                points={revenueByDay(data.days, currency, from, to)}
                format={(v) => formatMoney({ amount: v, currency }, "en")}
                axisFormat={(v) => compactMoney(v, currency)}
                shortLabel={(day) => day.slice(5)}
              />
            </Card>
          ))}
          <div className="grid wide">
            <Card>
              <Breakdown title="Per movie" nameHeader="Movie" rows={data.movies} />
            </Card>
            <Card>
              <Breakdown title="Per screen" nameHeader="Screen" rows={data.screens} />
            </Card>
          </div>
          <Card>
            <BarChart
              title="Booking pace: tickets by days before the show"
              points={paceSeries(data.pace)}
              shortLabel={(label) => label.replace(" before", "")}
            />
          </Card>
          <Card>
            <h2>Cancellations, refunds and failures</h2>
            <div className="table-wrap" tabIndex={0}>
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Reason</th>
                  <th scope="col" className="num">Count</th>
                  <th scope="col" className="num">Amount</th>
                </tr>
              </thead>
              <tbody>
                {data.reasons.map((r) => (
                  <tr key={`${r.kind}|${r.reason}|${r.currency}`}>
                    <td>{r.kind.replaceAll("_", " ")}</td>
                    <td>{r.reason}</td>
                    <td className="num">{r.count}</td>
                    <td className="num">
                      {r.amount ? formatMoney({ amount: r.amount, currency: r.currency }, "en") : ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
          </Card>
        </>
      )}
    </div>
  );
}

function Kpi({ label, value, testId }: { label: string; value: string | number; testId?: string }) {
  return (
    <div className="kpi">
      <span className="value" data-testid={testId}>
        {value}
      </span>
      <span className="label">{label}</span>
    </div>
  );
}

/** Axis labels stay short: "₹2.5K" rather than "₹2,500.00". */
function compactMoney(minor: number, currency: string): string {
  return new Intl.NumberFormat("en", { style: "currency", currency, notation: "compact", maximumFractionDigits: 1 }).format(
    minor / 100,
  );
}

const stageName = (stage: string) => stage.replaceAll("_", " ");

function Funnel({ steps }: { steps: FunnelStep[] }) {
  const base = steps[0]?.base ?? "";
  return (
    <>
      <h2>Conversion funnel</h2>
      <p className="muted">Shares are of the {stageName(base)} step: the first step at least as large as every step after it.</p>
      <div className="table-wrap" tabIndex={0}>
        <table className="data funnel">
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col" className="num">Count</th>
              <th scope="col">Share of {stageName(base)}</th>
              <th scope="col" className="num">From previous</th>
            </tr>
          </thead>
          <tbody>
            {steps.map((f) => (
              <tr key={f.stage}>
                <th scope="row">
                  {stageName(f.stage)}
                  {f.note && <small className="muted funnel-note">{f.note}</small>}
                </th>
                <td className="num">{f.count}</td>
                <td>
                  {f.of_base === null ? (
                    "–"
                  ) : (
                    <span className="funnel-share">
                      <span className="funnel-track" aria-hidden="true">
                        <span className="funnel-bar" style={{ width: `${Math.min(1, f.of_base) * 100}%` }} />
                      </span>
                      <span>{percent(f.of_base)}</span>
                    </span>
                  )}
                </td>
                <td className="num">{percent(f.from_previous)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Breakdown({ title, nameHeader, rows }: { title: string; nameHeader: string; rows: BreakdownRow[] }) {
  return (
    <>
      <h2>{title}</h2>
      <div className="table-wrap" tabIndex={0}>
      <table className="data">
        <thead>
          <tr>
            <th scope="col">{nameHeader}</th>
            <th scope="col" className="num">Bookings</th>
            <th scope="col" className="num">Tickets</th>
            <th scope="col" className="num">Revenue</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.key}|${r.currency}`}>
              <th scope="row">
                {r.name ?? r.key}
                {r.theatre_name && <small className="muted"> · {r.theatre_name}</small>}
              </th>
              <td className="num">{r.bookings}</td>
              <td className="num">{r.tickets}</td>
              <td className="num">{formatMoney({ amount: r.revenue, currency: r.currency }, "en")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </>
  );
}
