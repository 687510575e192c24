// Pure helpers of the mapping editor: where a line is in the text (to select it when an admin
// picks a problem) and the problems a refused save names (the API's 422 lists them in `errors`).
import type { Schemas } from "../api/client";

export type Issue = Schemas["MappingIssueOut"];

/** Start and end offsets of a 1-based line (its newline excluded); a line past the end is the
 * text's end, line 0 (no position known) its start. */
export function lineRange(text: string, line: number): [number, number] {
  if (line < 1) return [0, 0];
  let start = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf("\n", start);
    if (next < 0) return [text.length, text.length];
    start = next + 1;
  }
  const end = text.indexOf("\n", start);
  return [start, end < 0 ? text.length : end];
}

type ProblemError = { field?: string; message?: string; line?: number; column?: number; suggestion?: string | null };

/** A refused save's problems, as the validator's issues (fields are `body.text.<path>`). */
export function issuesOf(problem: { errors?: unknown } | null): Issue[] {
  const errors = Array.isArray(problem?.errors) ? (problem.errors as ProblemError[]) : [];
  return errors
    .filter((e) => typeof e.message === "string")
    .map((e) => ({
      line: Number(e.line ?? 0),
      column: Number(e.column ?? 0),
      path: (e.field ?? "").replace(/^body\.text\.?/, ""),
      message: e.message as string,
      suggestion: e.suggestion ?? null,
    }));
}

/** One problem in words: where, what, and the nearest valid name. */
export function issueText(issue: Issue): string {
  const where = issue.path ? `${issue.path}: ` : "";
  const hint = issue.suggestion ? ` (did you mean \`${issue.suggestion}\`?)` : "";
  return `${where}${issue.message}${hint}`;
}
