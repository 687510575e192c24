// Small, dependency-free charts for the dashboards: SVG bars with a table twin for screen
// readers, and an occupancy heat map whose cells carry their numbers as text.
import type { ShowRow } from "./types";

export function BarChart({
  title,
  points,
  format = (v) => String(v),
}: {
  title: string;
  points: { label: string; value: number }[];
  format?: (value: number) => string;
}) {
  const max = Math.max(1, ...points.map((p) => p.value));
  const width = Math.max(320, points.length * 28);
  const height = 160;
  const bar = width / Math.max(points.length, 1);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg
        viewBox={`0 0 ${width} ${height + 20}`}
        role="img"
        aria-label={`${title}: ${points.map((p) => `${p.label} ${format(p.value)}`).join(", ")}`}
        preserveAspectRatio="none"
      >
        {points.map((p, i) => {
          const h = (p.value / max) * height;
          return (
            <g key={p.label}>
              <rect x={i * bar + 2} y={height - h} width={bar - 4} height={h} fill="var(--brand)" />
              <title>{`${p.label}: ${format(p.value)}`}</title>
            </g>
          );
        })}
      </svg>
      <details>
        <summary>Show the numbers</summary>
        <table className="data">
          <tbody>
            {points.map((p) => (
              <tr key={p.label}>
                <th scope="row">{p.label}</th>
                <td>{format(p.value)}</td>
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
  const screens = [...new Set(shows.map((s) => s.screen_id))].sort();
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
              <th scope="row">{screen}</th>
              {days.map((d) => (
                <td key={d}>
                  <div className="heat-cells">
                    {(cell.get(`${screen}|${d}`) ?? []).map((s) => (
                      <span
                        key={s.show_id}
                        className="heat"
                        style={{ background: shade(s.occupancy) }}
                        title={`${s.show_id}: ${s.sold}/${s.capacity}`}
                      >
                        {localTime(s)} {Math.round((s.occupancy ?? 0) * 100)}%
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
