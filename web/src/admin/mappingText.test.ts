import { describe, expect, it } from "vitest";
import { issueText, issuesOf, lineRange } from "./mappingText";

describe("the mapping editor's text helpers", () => {
  const text = "version: 2\nsystem: restline\n\nentities:\n  show: {}";

  it("finds a line's offsets to select it", () => {
    expect(lineRange(text, 1)).toEqual([0, 10]);
    expect(text.slice(...lineRange(text, 2))).toBe("system: restline");
    expect(lineRange(text, 3)).toEqual([28, 28]); // an empty line
    expect(text.slice(...lineRange(text, 5))).toBe("  show: {}"); // the last, without a newline
    expect(lineRange(text, 9)).toEqual([text.length, text.length]);
    expect(lineRange(text, 0)).toEqual([0, 0]);
  });

  it("reads a refused save's problems as issues", () => {
    const problem = {
      code: "invalid_mapping",
      errors: [
        {
          field: "body.text.entities.show.whre",
          message: "unknown key `whre`",
          type: "invalid_mapping",
          line: 7,
          column: 5,
          suggestion: "where",
        },
        { field: "body.text", message: "not valid YAML: found unexpected end of stream", line: 3, column: 1 },
        { field: "body.text" }, // no message: nothing to show
      ],
    };
    const issues = issuesOf(problem);
    expect(issues).toEqual([
      { line: 7, column: 5, path: "entities.show.whre", message: "unknown key `whre`", suggestion: "where" },
      { line: 3, column: 1, path: "", message: "not valid YAML: found unexpected end of stream", suggestion: null },
    ]);
    expect(issueText(issues[0])).toBe("entities.show.whre: unknown key `whre` (did you mean `where`?)");
    expect(issueText(issues[1])).toBe("not valid YAML: found unexpected end of stream");
    expect(issuesOf(null)).toEqual([]);
    expect(issuesOf({ errors: "no" })).toEqual([]);
  });
});
