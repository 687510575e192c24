import { describe, expect, it } from "vitest";
import { summary } from "./runSummary";

describe("import run summary", () => {
  it("sums a catalog report's entities and names its dead letters", () => {
    const counts = {
      run_id: "abc",
      counts: {
        theatre: { created: 2, updated: 0, unchanged: 0 },
        show: { created: 16, updated: 3, unchanged: 5 },
      },
      dead_letters: 1,
      rejected: [],
      duplicates: 0,
    };
    expect(summary(counts)).toBe("18 created, 3 updated, 1 dead letter");
  });

  it("sums an inventory run's poll and reconcile", () => {
    const counts = {
      poll: { deltas: 4, seats_changed: 3, conflicts: 1, dead_letters: 0, shows: 2, errors: [] },
      reconcile: { deltas: 0, seats_changed: 2, conflicts: 0, dead_letters: 0, shows: 8, errors: [] },
    };
    expect(summary(counts)).toBe("5 seats changed, 1 conflict");
  });

  it("says so when a run changed nothing", () => {
    expect(summary({})).toBe("no changes");
    expect(summary({ counts: { show: { created: 0, updated: 0, unchanged: 7 } }, dead_letters: 0 })).toBe(
      "no changes",
    );
  });
});
