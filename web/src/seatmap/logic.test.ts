import { describe, expect, it } from "vitest";
import {
  buildPlan,
  changedSeats,
  fittedSeatSize,
  neighbour,
  orphansLeft,
  toggle,
  validate,
  type Rules,
  type Seat,
} from "./logic";

function seat(row: string, rowIndex: number, column: number, extra: Partial<Seat> = {}): Seat {
  return {
    id: `${row}${column + 1}`,
    label: `${row}${column + 1}`,
    row,
    area: 0,
    row_index: rowIndex,
    column,
    category: "standard",
    status: "available",
    flags: [],
    group: null,
    ...extra,
  };
}

// Row A: 6 seats with an aisle after column 2 (columns 0,1,2 | 4,5,6).
// Row B: a sofa pair (B1+B2) and a wheelchair space with its companion seat.
const seats: Seat[] = [
  ...[0, 1, 2, 4, 5, 6].map((c) => seat("A", 0, c)),
  seat("B", 1, 0, { group: "sofa-1", category: "recliner" }),
  seat("B", 1, 1, { group: "sofa-1", category: "recliner" }),
  seat("B", 1, 3, { flags: ["wheelchair"] }),
  seat("B", 1, 4, { flags: ["companion"] }),
  seat("B", 1, 5, { status: "sold" }),
];
const plan = buildPlan(seats);
const rules: Rules = { max_seats_per_hold: 4, no_orphan_seats: true, companion_requires_wheelchair: true };

describe("buildPlan", () => {
  it("keeps rows in order and aisles as column gaps", () => {
    expect(plan.areas).toHaveLength(1);
    expect(plan.areas[0].rows.map((r) => r.name)).toEqual(["A", "B"]);
    expect(plan.areas[0].columns).toBe(7);
    expect(plan.groups.get("sofa-1")).toEqual(["B1", "B2"]);
  });
});

describe("toggle", () => {
  it("selects and unselects a seat", () => {
    const on = toggle(plan, [], "A1", rules);
    expect(on).toEqual({ selection: ["A1"] });
    expect(toggle(plan, ["A1"], "A1", rules)).toEqual({ selection: [] });
  });

  it("selects a sofa as a whole and releases it as a whole", () => {
    expect(toggle(plan, [], "B2", rules)).toEqual({ selection: ["B1", "B2"] });
    expect(toggle(plan, ["B1", "B2", "A1"], "B1", rules)).toEqual({ selection: ["A1"] });
  });

  it("refuses a sold seat and a seat that went while the page was open", () => {
    expect(toggle(plan, [], "B6", rules)).toEqual({ refusal: { kind: "unavailable", seats: ["B6"] } });
    expect(toggle(plan, [], "A1", rules, { A1: "held" })).toEqual({
      refusal: { kind: "unavailable", seats: ["A1"] },
    });
  });

  it("refuses more seats than the theatre allows, counting a whole sofa", () => {
    expect(toggle(plan, ["A1", "A2", "A3"], "B1", rules)).toEqual({ refusal: { kind: "max", max: 4 } });
    expect(toggle(plan, ["A1", "A2", "A3"], "A5", rules)).toEqual({
      selection: ["A1", "A2", "A3", "A5"],
    });
  });
});

describe("orphan rule", () => {
  it("names the single seat a selection would strand, not across the aisle", () => {
    // Taking A1 leaves nothing stranded (A2, A3 stay together).
    expect(orphansLeft(plan, ["A1"])).toEqual([]);
    // Taking A2 strands A1 against the wall and A3 against the aisle.
    expect(orphansLeft(plan, ["A2"])).toEqual(["A1", "A3"]);
    // Taking A2 and A3 strands A1; A5 across the aisle is not A3's neighbour.
    expect(orphansLeft(plan, ["A2", "A3"])).toEqual(["A1"]);
    expect(validate(plan, ["A2"], rules)).toEqual({ kind: "orphan", seats: ["A1", "A3"] });
    expect(validate(plan, ["A2"], { ...rules, no_orphan_seats: false })).toBeNull();
  });
});

describe("companion seats", () => {
  it("need a wheelchair space in the same selection", () => {
    expect(validate(plan, ["B5"], rules)).toEqual({ kind: "companion", seats: ["B5"] });
    expect(validate(plan, ["B4", "B5"], rules)).toBeNull();
  });
});

describe("live updates", () => {
  it("only the seats whose status changed are redrawn", () => {
    const before = { A1: "available", A2: "available", A3: "sold" };
    const after = { A1: "available", A2: "held", A3: "sold" };
    expect(changedSeats(before, after)).toEqual(["A2"]);
  });
});

describe("keyboard and RTL", () => {
  it("arrow keys follow the physical hall in every direction of text", () => {
    // The grid keeps the hall's orientation in RTL: ArrowRight is towards the higher column.
    expect(neighbour(plan, "A1", "ArrowRight")).toBe("A2");
    expect(neighbour(plan, "A3", "ArrowRight")).toBe("A5"); // over the aisle
    expect(neighbour(plan, "A1", "ArrowLeft")).toBeNull();
    expect(neighbour(plan, "A1", "ArrowDown")).toBe("B1");
    expect(neighbour(plan, "B5", "ArrowUp")).toBe("A5");
  });

  it("fits a 25-column hall into a 360 px phone", () => {
    const wide = buildPlan(Array.from({ length: 400 }, (_, i) => seat(`R${Math.floor(i / 25)}`, Math.floor(i / 25), i % 25)));
    const size = fittedSeatSize(wide, 360 - 32);
    expect(size * 25).toBeLessThanOrEqual(360);
    expect(size).toBeGreaterThanOrEqual(10);
  });
});
