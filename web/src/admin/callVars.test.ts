import { describe, expect, it } from "vitest";
import { callVars } from "./callVars";

describe("a dead letter's call variables", () => {
  it("lists them by name", () => {
    expect(callVars({ theatre: "031", date: "20261205" })).toBe("date=20261205, theatre=031");
  });

  it("shows nested values as JSON and nothing for none", () => {
    expect(callVars({ page: { cursor: "c2" }, n: 3, gone: null })).toBe(
      'gone=null, n=3, page={"cursor":"c2"}',
    );
    expect(callVars(null)).toBe("");
    expect(callVars({})).toBe("");
  });
});
