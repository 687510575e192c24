import { act, cleanup, fireEvent, render } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SeatGrid } from "./SeatGrid";
import { buildPlan, type Seat } from "./logic";

const seats: Seat[] = ["A1", "A2", "A3"].map((id, i) => ({
  id,
  label: id,
  row: "A",
  area: 0,
  row_index: 0,
  column: i,
  category: "standard",
  status: i === 2 ? "sold" : "available",
  flags: [],
  group: null,
}));

function renderGrid(statuses: Record<string, string> = {}, selection: string[] = []) {
  const onPick = vi.fn();
  const labelFor = vi.fn((seat: Seat, status: string) => `Seat ${seat.label}, ${status}`);
  const utils = render(
    <div dir="rtl">
      <SeatGrid
        plan={buildPlan(seats)}
        statuses={statuses}
        selection={selection}
        seatSize={24}
        labelFor={labelFor}
        onPick={onPick}
        screenLabel="Screen"
      />
    </div>,
  );
  return { ...utils, onPick, labelFor };
}

afterEach(cleanup);

describe("SeatGrid", () => {
  it("draws each seat as a labelled button and reports picks", () => {
    const { getByRole, onPick } = renderGrid();
    const a1 = getByRole("button", { name: "Seat A1, available" });
    fireEvent.click(a1);
    expect(onPick).toHaveBeenCalledWith("A1");
    expect(getByRole("button", { name: "Seat A3, sold" }).getAttribute("aria-disabled")).toBe("true");
  });

  it("keeps the hall's physical orientation inside a right-to-left page", () => {
    const { container } = renderGrid();
    const grid = container.querySelector(".seatmap")!;
    expect(grid.getAttribute("dir")).toBe("ltr");
    const order = [...grid.querySelectorAll("button.seat")].map((b) => b.getAttribute("data-seat"));
    expect(order).toEqual(["A1", "A2", "A3"]);
  });

  it("moves focus with the arrow keys and has one tab stop", () => {
    const { container } = renderGrid();
    const buttons = [...container.querySelectorAll<HTMLButtonElement>("button.seat")];
    expect(buttons.filter((b) => b.tabIndex === 0)).toHaveLength(1);
    buttons[0].focus();
    act(() => {
      fireEvent.keyDown(buttons[0], { key: "ArrowRight" });
    });
    expect(document.activeElement).toBe(buttons[1]);
  });

  it("a live update changes the seat that changed", () => {
    const { rerender, labelFor, container } = renderGrid();
    const plan = buildPlan(seats);
    rerender(
      <div dir="rtl">
        <SeatGrid
          plan={plan}
          statuses={{ A1: "available", A2: "held", A3: "sold" }}
          selection={[]}
          seatSize={24}
          labelFor={labelFor}
          onPick={() => undefined}
          screenLabel="Screen"
        />
      </div>,
    );
    const held = container.querySelector('[data-seat="A2"]')!;
    expect(held.getAttribute("data-status")).toBe("held");
    expect(held.className).toContain("st-held");
    expect(container.querySelector('[data-seat="A1"]')!.getAttribute("data-status")).toBe(
      "available",
    );
  });

  it("gives each category its own style class", () => {
    const mixed = seats.map((s, i) => ({ ...s, category: i === 0 ? "0000000001" : "0000000002" }));
    const { container } = render(
      <SeatGrid
        plan={buildPlan(mixed)}
        statuses={{}}
        selection={[]}
        seatSize={24}
        labelFor={(seat) => seat.label}
        onPick={() => {}}
        screenLabel="Screen"
        categorySlots={{ "0000000002": 0, "0000000001": 1 }}
      />,
    );
    const cls = (id: string) => container.querySelector(`[data-seat="${id}"]`)!.className;
    expect(cls("A1")).toContain("cat-slot-1");
    expect(cls("A2")).toContain("cat-slot-0");
    expect(cls("A1")).not.toContain("0000000001");
  });
});
