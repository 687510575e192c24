import { describe, expect, it } from "vitest";
import { fromLayout, newArea, rowNames, toLayout, type LayoutJson, type LayoutSeat } from "./layoutModel";

const seat = (area: number, row: string, r: number, n: number | string, c: number, extra: Partial<LayoutSeat> = {}): LayoutSeat => ({
  id: `${row}${n}`,
  label: `${row}${n}`,
  position: { area, row: r, column: c },
  category: "standard",
  flags: [],
  ...extra,
});

/** A theatre that skips I and O, numbers around a gangway, and has a balcony in its own area. */
function theatreLayout(): LayoutJson {
  return {
    categories: ["premium", "standard"],
    areas: [
      {
        number: 1,
        name: "Stalls",
        category: "standard",
        rows: [
          { name: "H", index: 7, seats: [seat(1, "H", 7, 1, 2, { flags: ["wheelchair"] }), seat(1, "H", 7, 2, 3, { flags: ["companion"] }), seat(1, "H", 7, 5, 6)] },
          { name: "J", index: 8, seats: [seat(1, "J", 8, 1, 2), seat(1, "J", 8, 2, 3), seat(1, "J", 8, 5, 6)] },
          { name: "K", index: 9, seats: [seat(1, "K", 9, 6, 2), seat(1, "K", 9, 5, 3), seat(1, "K", 9, 1, 6)] },
          // Row 10 is a cross aisle.
          { name: "P", index: 11, seats: [seat(1, "P", 11, 1, 3, { id: "P-01", external_id: "pos-991" })] },
        ],
      },
      {
        number: 2,
        name: "Balcony",
        category: "premium",
        rows: [
          {
            name: "BB",
            index: 0,
            seats: [
              seat(2, "BB", 0, 1, 0, { category: "premium", group: "sofa-1" }),
              seat(2, "BB", 0, 2, 1, { category: "premium", group: "sofa-1" }),
              seat(2, "BB", 0, "", 3, { label: "Box", id: "box", category: "premium" }),
            ],
          },
        ],
      },
    ],
  };
}

const naming = { rtl: false, skipIO: true };

describe("layout editor model", () => {
  it("gives a loaded layout back exactly when nothing was changed", () => {
    const layout = theatreLayout();
    expect(toLayout(fromLayout(layout), layout.categories, naming)).toEqual(layout);
  });

  it("keeps row names a theatre chose even when I and O are not skipped for new rows", () => {
    const layout = theatreLayout();
    const again = toLayout(fromLayout(layout), layout.categories, { rtl: false, skipIO: false });
    expect(again.areas[0].rows.map((r) => r.name)).toEqual(["H", "J", "K", "P"]);
    expect(again.areas[0].rows[0].seats.map((s) => s.label)).toEqual(["H1", "H2", "H5"]);
  });

  it("names a row drawn in the cross aisle after the row before it, skipping taken names", () => {
    const areas = fromLayout(theatreLayout());
    // Grid row 3 of the stalls is the empty aisle row (layout row 10).
    areas[0].cells[3][0] = { category: "standard", flags: [] };
    areas[0].cells[3][1] = { category: "standard", flags: [] };
    const out = toLayout(areas, ["premium", "standard"], naming);
    const added = out.areas[0].rows[3];
    expect(added.name).toBe("L");
    expect(added.index).toBe(10);
    expect(added.seats.map((s) => [s.id, s.position])).toEqual([
      ["L1", { area: 1, row: 10, column: 2 }],
      ["L2", { area: 1, row: 10, column: 3 }],
    ]);
    expect(out.areas[0].rows[4].name).toBe("P");
  });

  it("numbers a seat added to a loaded row by its place, around the numbers already there", () => {
    const areas = fromLayout(theatreLayout());
    areas[0].cells[0][2] = { category: "standard", flags: [] }; // between H2 and H5
    const row = toLayout(areas, ["premium", "standard"], naming).areas[0].rows[0];
    expect(row.seats.map((s) => s.label)).toEqual(["H1", "H2", "H3", "H5"]);
  });

  it("renames the seats of a row the partner renames, ids that were labels included", () => {
    const areas = fromLayout(theatreLayout());
    areas[0].rowMeta[0] = { ...areas[0].rowMeta[0], name: "G" };
    areas[0].rowMeta[4] = { ...areas[0].rowMeta[4], name: "Q" };
    const out = toLayout(areas, ["premium", "standard"], naming);
    expect(out.areas[0].rows[0].seats.map((s) => [s.id, s.label])).toEqual([
      ["G1", "G1"],
      ["G2", "G2"],
      ["G5", "G5"],
    ]);
    // An id the theatre gave that is not the label stays.
    expect(out.areas[0].rows[3].seats.map((s) => [s.id, s.label, s.external_id])).toEqual([["P-01", "Q1", "pos-991"]]);
  });

  it("letters new areas' rows on from the rows before, skipping I and O", () => {
    const first = newArea(0, "Stalls", 9, 1);
    first.cells.forEach((row) => (row[0] = { category: "standard", flags: [] }));
    const names = rowNames([first], true);
    expect([...names.values()]).toEqual(["A", "B", "C", "D", "E", "F", "G", "H", "J"]);
    expect([...rowNames([first], false).values()].at(-1)).toBe("I");
  });

  it("numbers new seats right to left when asked", () => {
    const area = newArea(0, "Stalls", 1, 3);
    area.cells[0] = area.cells[0].map(() => ({ category: "standard", flags: [] }));
    const out = toLayout([area], ["standard"], { rtl: true, skipIO: true });
    expect(out.areas[0].rows[0].seats.map((s) => s.label)).toEqual(["A3", "A2", "A1"]);
  });
});
