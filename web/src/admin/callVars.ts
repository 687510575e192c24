// A dead letter's call variables (what its file name said, the theatre called for) in a line:
// a replay reads the payload with them, so the admin should see them next to the payload.

/** `name=value` pairs in name order; nested values as compact JSON; "" when there are none. */
export function callVars(vars: Record<string, unknown> | null | undefined): string {
  if (!vars) return "";
  return Object.keys(vars)
    .sort()
    .map((name) => {
      const value = vars[name];
      const text =
        value !== null && typeof value === "object" ? JSON.stringify(value) : String(value);
      return `${name}=${text}`;
    })
    .join(", ");
}
