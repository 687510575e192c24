import { afterEach, describe, expect, it } from "vitest";
import { keepPendingSeats, takePendingSeats } from "./pending";

afterEach(() => sessionStorage.clear());

describe("seats kept across sign-in", () => {
  it("come back once, for the same show only", () => {
    keepPendingSeats("shw_1", ["F1", "F2"], 1000);
    expect(takePendingSeats("shw_2", 2000)).toEqual([]);
    expect(takePendingSeats("shw_1", 2000)).toEqual(["F1", "F2"]);
    expect(takePendingSeats("shw_1", 3000)).toEqual([]);
  });

  it("are forgotten after half an hour", () => {
    keepPendingSeats("shw_1", ["F1"], 0);
    expect(takePendingSeats("shw_1", 31 * 60 * 1000)).toEqual([]);
  });

  it("ignore what is not theirs in storage", () => {
    sessionStorage.setItem("marquee.pendingSeats", "{not json");
    expect(takePendingSeats("shw_1")).toEqual([]);
    sessionStorage.setItem("marquee.pendingSeats", JSON.stringify({ showId: "shw_1", seats: [1, "A1"], at: Date.now() }));
    expect(takePendingSeats("shw_1")).toEqual(["A1"]);
  });
});
