// Small, dependency-free charts for the dashboards: SVG bars with a table twin for screen
// readers, and an occupancy heat map whose cells carry their numbers as text.
import { labelEvery, niceMax, type Point } from "./chartData";
import type { ShowRow } from "./types";

const W = 800;
const H = 240;
const PAD = { left: 64, right: 8, top: 12, bottom: 30 };

/** Vertical bars on a fixed drawing (scaled as a whole, never stretched), a value axis from 0
 * to a round maximum, and bar labels thinned so they never overlap. */
export function BarChart({
  title,
  points,
  format = (v) => String(v),
  axisFormat = format,
  shortLabel = (label) => label,
}: {
  title: string;
  points: Point[];
  format?: (value: number) => string;
  axisFormat?: (value: number) => string;
  shortLabel?: (label: string) => string;
}) {
  const top = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(points.length, 1);
  const bar = Math.max(2, Math.min(slot * 0.7, 48));
  const every = labelEvery(points.length, plotW, 56);
  const y = (v: number) => PAD.top + plotH - (Math.max(0, v) / top) * plotH;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {points.length === 0 ? (
        <p className="muted">Nothing sold in this range.</p>
      ) : (
        <div className="chart-scroll" tabIndex={0}>
        <svg
          viewBox={`0 0 ${W} ${H}`}
          role="img"
          aria-label={`${title}: ${points.map((p) => `${p.label} ${format(p.value)}`).join(", ")}`}
        >
          {[0, top / 2, top].map((tick) => (
            <g key={tick} className="tick">
              <line x1={PAD.left} x2={W - PAD.right} y1={y(tick)} y2={y(tick)} />
              <text x={PAD.left - 6} y={y(tick) + 4} textAnchor="end">
                {axisFormat(tick)}
              </text>
            </g>
          ))}
          {points.map((p, i) => {
            const x = PAD.left + i * slot + (slot - bar) / 2;
            const showLabel = i % every === 0;
            return (
              <g key={p.label}>
                <rect x={x} y={y(p.value)} width={bar} height={PAD.top + plotH - y(p.value)} fill="var(--brand)">
                  <title>{`${p.label}: ${format(p.value)}`}</title>
                </rect>
                {showLabel && (
                  <text x={x + bar / 2} y={H - PAD.bottom + 16} textAnchor="middle" className="bar-label">
                    {shortLabel(p.label)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
        </div>
      )}
      <details>
        <summary>Show the numbers</summary>
        <table className="data">
          <tbody>
            {points.map((p) => (
              <tr key={p.label}>
                <th scope="row">{p.label}</th>
                <td className="num">{format(p.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

function localTime(show: ShowRow): string {
  return new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    timeZone: show.timezone,
  }).format(new Date(show.start_at));
}

function shade(rate: number | null): string {
  if (rate === null) return "#f0eff5";
  // From pale to the brand colour; text stays dark enough to read on every step.
  const steps = ["#fbe9ef", "#f5c6d6", "#ee9fbb", "#e3739b", "#d64c7f"];
  return steps[Math.min(steps.length - 1, Math.floor(rate * steps.length))];
}

/** Screens down, days across; every show a cell with its occupancy. */
export function OccupancyHeatMap({ shows }: { shows: ShowRow[] }) {
  const days = [...new Set(shows.map((s) => s.business_date))].sort();
  // A screen is named with its theatre when the map covers more than one theatre.
  const manyTheatres = new Set(shows.map((s) => s.theatre_id)).size > 1;
  const screenName = new Map<string, string>();
  for (const s of shows) {
    screenName.set(s.screen_id, manyTheatres ? `${s.theatre_name} · ${s.screen_name}` : s.screen_name);
  }
  const screens = [...screenName.keys()].sort((a, b) => screenName.get(a)!.localeCompare(screenName.get(b)!));
  const cell = new Map<string, ShowRow[]>();
  for (const s of shows) {
    const key = `${s.screen_id}|${s.business_date}`;
    cell.set(key, [...(cell.get(key) ?? []), s]);
  }
  if (!shows.length) return <p className="muted">No shows in this range.</p>;
  return (
    <div className="heatmap-wrap" tabIndex={0}>
      <table className="heatmap" aria-label="Occupancy per show">
        <thead>
          <tr>
            <th scope="col">Screen</th>
            {days.map((d) => (
              <th key={d} scope="col">
                {d}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {screens.map((screen) => (
            <tr key={screen}>
              <th scope="row">{screenName.get(screen)}</th>
              {days.map((d) => (
                <td key={d}>
                  <div className="heat-cells">
                    {(cell.get(`${screen}|${d}`) ?? []).map((s) => (
                      <span
                        key={s.show_id}
                        className="heat"
                        style={{ background: shade(s.occupancy) }}
                        title={`${s.movie_title}, ${localTime(s)}: ${s.sold} of ${s.capacity} seats sold`}
                      >
                        {localTime(s)} <span className="heat-title">{s.movie_title}</span>{" "}
                        {Math.round((s.occupancy ?? 0) * 100)}%
                      </span>
                    ))}
                  </div>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
