import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import type { KeyboardEvent } from "react";
import { colourStyle } from "./categories";
import { neighbour, type Plan, type Seat } from "./logic";
import "./seatmap.css";

type SeatProps = {
  seat: Seat;
  status: string;
  selected: boolean;
  focusable: boolean;
  ariaLabel: string;
  gridColumn: number;
  groupEdge: "start" | "middle" | "end" | null;
  /** The category's colour and pattern (seatmap.css `.cat-slot-N`). */
  slot: number;
  /** The theatre's own colour for the category, if it chose one (over the slot's fill). */
  colour?: string;
  onPick: (id: string) => void;
};

// One button per seat; memo keeps a live update to the seats whose props changed.
const SeatButton = memo(function SeatButton(p: SeatProps) {
  const taken = p.status !== "available" || p.seat.flags.includes("blocked");
  const classes = [
    "seat",
    `cat-slot-${p.slot}`,
    taken ? `st-${p.seat.flags.includes("blocked") ? "blocked" : p.status}` : "st-available",
    p.selected ? "selected" : "",
    p.groupEdge ? `sofa sofa-${p.groupEdge}` : "",
  ];
  const icon = p.seat.flags.includes("wheelchair") ? "♿" : p.seat.flags.includes("companion") ? "C" : "";
  return (
    <button
      type="button"
      className={classes.filter(Boolean).join(" ")}
      style={{ gridColumn: p.gridColumn, ...colourStyle(p.colour) }}
      data-seat={p.seat.id}
      data-status={p.status}
      data-category={p.seat.category}
      aria-label={p.ariaLabel}
      aria-pressed={p.selected}
      aria-disabled={taken || undefined}
      tabIndex={p.focusable ? 0 : -1}
      onClick={() => p.onPick(p.seat.id)}
    >
      <span aria-hidden="true">{icon}</span>
    </button>
  );
});

function groupEdge(seat: Seat, row: Seat[], i: number): SeatProps["groupEdge"] {
  if (!seat.group) return null;
  const prev = row[i - 1]?.group === seat.group;
  const next = row[i + 1]?.group === seat.group;
  return prev && next ? "middle" : prev ? "end" : next ? "start" : null;
}

export type SeatGridProps = {
  plan: Plan;
  statuses: Record<string, string>;
  selection: readonly string[];
  seatSize: number;
  labelFor: (seat: Seat, status: string, selected: boolean) => string;
  onPick: (id: string) => void;
  screenLabel: string;
  /** Category code -> colour-and-pattern slot (categories.ts); unknown codes use slot 0. */
  categorySlots?: Readonly<Record<string, number>>;
  /** Category code -> the theatre's colour (#rrggbb), for the categories that have one. */
  categoryColours?: Readonly<Record<string, string>>;
  /** performance.now() when the seat map arrived: the grid reports when it became usable. */
  startedAt?: number;
  onInteractive?: (ms: number, commitMs: number) => void;
};

export function SeatGrid(props: SeatGridProps) {
  const { plan, statuses, selection, seatSize, labelFor, onPick } = props;
  const [focusId, setFocusId] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const reported = useRef(false);
  const selected = new Set(selection);
  const firstFree = plan.areas[0]?.rows[0]?.seats[0]?.id ?? null;
  const tabStop = focusId ?? selection[0] ?? firstFree;

  useLayoutEffect(() => {
    if (reported.current || props.startedAt === undefined) return;
    reported.current = true;
    const started = props.startedAt;
    const committed = performance.now() - started; // rendered and in the document
    // Interactive = the buttons are in the document, laid out and the next frame was painted.
    requestAnimationFrame(() => {
      setTimeout(() => props.onInteractive?.(performance.now() - started, committed), 0);
    });
  });

  const onKeyDown = useCallback(
    (e: KeyboardEvent<HTMLDivElement>) => {
      const target = (e.target as HTMLElement).dataset.seat;
      if (!target) return;
      if (!["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"].includes(e.key)) return;
      const next = neighbour(plan, target, e.key as "ArrowLeft");
      if (next) {
        e.preventDefault();
        setFocusId(next);
        root.current?.querySelector<HTMLElement>(`[data-seat="${next.replace(/["\\]/g, "\\$&")}"]`)?.focus();
      }
    },
    [plan],
  );

  useEffect(() => {
    if (focusId && !plan.byId.has(focusId)) setFocusId(null);
  }, [plan, focusId]);

  return (
    // The hall keeps its physical orientation in every language (dir="ltr").
    <div
      className="seatmap"
      dir="ltr"
      ref={root}
      style={{ ["--seat" as string]: `${seatSize}px` }}
      onKeyDown={onKeyDown}
    >
      <div className="screen" aria-hidden="true">
        {props.screenLabel}
      </div>
      {plan.areas.map((area) => (
        <div
          key={area.number}
          className="area"
          role="group"
          aria-label={`Area ${area.number + 1}`}
          style={{ gridTemplateColumns: `2em repeat(${area.columns}, var(--seat)) 2em` }}
        >
          {area.rows.map((row) => (
            <div key={row.index} className="seat-row" role="group" aria-label={`Row ${row.name}`}>
              <span className="row-label" aria-hidden="true" style={{ gridColumn: 1 }}>
                {row.name}
              </span>
              {row.seats.map((seat, i) => {
                const status = statuses[seat.id] ?? seat.status;
                const isSelected = selected.has(seat.id);
                return (
                  <SeatButton
                    key={seat.id}
                    seat={seat}
                    status={status}
                    selected={isSelected}
                    focusable={seat.id === tabStop}
                    ariaLabel={labelFor(seat, status, isSelected)}
                    gridColumn={seat.column - area.minColumn + 2}
                    groupEdge={groupEdge(seat, row.seats, i)}
                    slot={props.categorySlots?.[seat.category] ?? 0}
                    colour={props.categoryColours?.[seat.category]}
                    onPick={onPick}
                  />
                );
              })}
              <span
                className="row-label"
                aria-hidden="true"
                style={{ gridColumn: area.columns + 2 }}
              >
                {row.name}
              </span>
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}
