// Seat-map rules that run in the browser, mirroring the theatre's rules on the server (which
// stays the authority): the page explains a refusal before asking, instead of after a 409/422.

export type SeatStatus = "available" | "held" | "sold" | "blocked";

export type Seat = {
  id: string;
  label: string;
  row: string;
  area: number;
  row_index: number;
  column: number;
  category: string;
  status: string;
  flags: string[];
  group?: string | null;
};

export type Rules = {
  max_seats_per_hold: number;
  no_orphan_seats: boolean;
  companion_requires_wheelchair: boolean;
};

export type Row = { area: number; index: number; name: string; seats: Seat[] };
export type Area = { number: number; rows: Row[]; minColumn: number; columns: number };
export type Plan = {
  areas: Area[];
  byId: Map<string, Seat>;
  rowOf: Map<string, Row>;
  groups: Map<string, string[]>;
  columns: number;
};

export type Refusal =
  | { kind: "unavailable"; seats: string[] }
  | { kind: "max"; max: number }
  | { kind: "orphan"; seats: string[] }
  | { kind: "companion"; seats: string[] };

/** Areas, rows in order and seats by column; a gap between columns is an aisle. */
export function buildPlan(seats: Seat[]): Plan {
  const areas = new Map<number, Map<number, Row>>();
  const byId = new Map<string, Seat>();
  const groups = new Map<string, string[]>();
  for (const seat of seats) {
    byId.set(seat.id, seat);
    const rows = areas.get(seat.area) ?? new Map<number, Row>();
    areas.set(seat.area, rows);
    const row = rows.get(seat.row_index) ?? {
      area: seat.area,
      index: seat.row_index,
      name: seat.row,
      seats: [],
    };
    rows.set(seat.row_index, row);
    row.seats.push(seat);
    if (seat.group) groups.set(seat.group, [...(groups.get(seat.group) ?? []), seat.id]);
  }
  const rowOf = new Map<string, Row>();
  const out: Area[] = [];
  let columns = 0;
  for (const [number, rows] of [...areas.entries()].sort((a, b) => a[0] - b[0])) {
    const ordered = [...rows.values()].sort((a, b) => a.index - b.index);
    let min = Infinity;
    let max = -Infinity;
    for (const row of ordered) {
      row.seats.sort((a, b) => a.column - b.column);
      for (const seat of row.seats) {
        rowOf.set(seat.id, row);
        min = Math.min(min, seat.column);
        max = Math.max(max, seat.column);
      }
    }
    const width = max - min + 1;
    columns = Math.max(columns, width);
    out.push({ number, rows: ordered, minColumn: min, columns: width });
  }
  return { areas: out, byId, rowOf, groups, columns };
}

export function isFree(seat: Seat, status: string = seat.status): boolean {
  return status === "available" && !seat.flags.includes("blocked");
}

/** The seats that come with `seatId`: its sofa group, or itself. */
export function unitOf(plan: Plan, seatId: string): string[] {
  const group = plan.byId.get(seatId)?.group;
  return group ? (plan.groups.get(group) ?? [seatId]) : [seatId];
}

/** Select or unselect a seat (a sofa as a whole). Refuses taken seats and the max-seats rule. */
export function toggle(
  plan: Plan,
  selection: readonly string[],
  seatId: string,
  rules: Rules,
  statuses: Record<string, string> = {},
): { selection: string[] } | { refusal: Refusal } {
  const unit = unitOf(plan, seatId);
  if (selection.includes(seatId)) {
    return { selection: selection.filter((s) => !unit.includes(s)) };
  }
  const taken = unit.filter((id) => {
    const seat = plan.byId.get(id);
    return !seat || !isFree(seat, statuses[id] ?? seat.status);
  });
  if (taken.length) return { refusal: { kind: "unavailable", seats: taken } };
  const next = [...selection, ...unit.filter((s) => !selection.includes(s))];
  if (next.length > rules.max_seats_per_hold) {
    return { refusal: { kind: "max", max: rules.max_seats_per_hold } };
  }
  return { selection: next };
}

/** Single free seats that taking `chosen` would strand (same rule as the server's). */
export function orphansLeft(
  plan: Plan,
  chosen: readonly string[],
  statuses: Record<string, string> = {},
): string[] {
  const picked = new Set(chosen);
  const free = (seat: Seat | undefined) =>
    seat !== undefined && !picked.has(seat.id) && isFree(seat, statuses[seat.id] ?? seat.status);
  const rows = new Set<Row>();
  for (const id of chosen) {
    const row = plan.rowOf.get(id);
    if (row) rows.add(row);
  }
  const result: string[] = [];
  for (const row of rows) {
    row.seats.forEach((seat, i) => {
      if (!free(seat)) return;
      const left = row.seats[i - 1];
      const right = row.seats[i + 1];
      const l = left && left.column === seat.column - 1 ? left : undefined;
      const r = right && right.column === seat.column + 1 ? right : undefined;
      if (free(l) || free(r)) return;
      if ((l && picked.has(l.id)) || (r && picked.has(r.id))) result.push(seat.id);
    });
  }
  return result;
}

/** What stops this selection from being held, if anything (checked before asking the server). */
export function validate(
  plan: Plan,
  selection: readonly string[],
  rules: Rules,
  statuses: Record<string, string> = {},
): Refusal | null {
  if (selection.length > rules.max_seats_per_hold) {
    return { kind: "max", max: rules.max_seats_per_hold };
  }
  const taken = selection.filter((id) => {
    const seat = plan.byId.get(id);
    return !seat || !isFree(seat, statuses[id] ?? seat.status);
  });
  if (taken.length) return { kind: "unavailable", seats: taken };
  if (rules.companion_requires_wheelchair) {
    const seats = selection.map((id) => plan.byId.get(id)!);
    const companions = seats.filter((s) => s.flags.includes("companion")).map((s) => s.id);
    if (companions.length && !seats.some((s) => s.flags.includes("wheelchair"))) {
      return { kind: "companion", seats: companions };
    }
  }
  if (rules.no_orphan_seats) {
    const orphans = orphansLeft(plan, selection, statuses);
    if (orphans.length) return { kind: "orphan", seats: orphans };
  }
  return null;
}

/** Seats whose status changed between two polls: only these are redrawn. */
export function changedSeats(
  before: Record<string, string>,
  after: Record<string, string>,
): string[] {
  return Object.keys(after).filter((id) => before[id] !== after[id]);
}

/**
 * Arrow-key movement over the physical grid. The seat map keeps the theatre's physical
 * orientation in right-to-left languages (seat 1 stays where it is in the hall), so
 * ArrowLeft always moves towards the physical left.
 */
export function neighbour(
  plan: Plan,
  seatId: string,
  key: "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown",
): string | null {
  const seat = plan.byId.get(seatId);
  const row = plan.rowOf.get(seatId);
  if (!seat || !row) return null;
  if (key === "ArrowLeft" || key === "ArrowRight") {
    const i = row.seats.indexOf(seat);
    const next = row.seats[key === "ArrowLeft" ? i - 1 : i + 1];
    return next?.id ?? null;
  }
  const area = plan.areas.find((a) => a.number === seat.area)!;
  const r = area.rows.indexOf(row) + (key === "ArrowUp" ? -1 : 1);
  const target = area.rows[r];
  if (!target || !target.seats.length) return null;
  let best = target.seats[0];
  for (const s of target.seats) {
    if (Math.abs(s.column - seat.column) < Math.abs(best.column - seat.column)) best = s;
  }
  return best.id;
}

/** Seat size that fits the widest area into `width` pixels (the phone's fitted view). */
export function fittedSeatSize(plan: Plan, width: number, labelWidth = 28): number {
  const usable = Math.max(0, width - 2 * labelWidth);
  const size = Math.floor(usable / Math.max(1, plan.columns)) - 2;
  return Math.max(10, Math.min(34, size));
}
