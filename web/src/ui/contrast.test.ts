import { describe, expect, it } from "vitest";
import { inkOn, luminance } from "./contrast";

describe("text on a chosen colour", () => {
  it("is black on light colours and white on dark ones", () => {
    expect(luminance("#ffffff")).toBeCloseTo(1);
    expect(luminance("#000000")).toBe(0);
    expect(inkOn("#cfe3ff")).toBe("#000000");
    expect(inkOn("#ffe1a8")).toBe("#000000");
    expect(inkOn("#aa3377")).toBe("#ffffff");
    expect(inkOn("#1565c0")).toBe("#ffffff");
  });
});
