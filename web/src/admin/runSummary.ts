// An import run's counts (its report) in one line for the admin panel's runs table.

/** What a run counted, in a line: records created and updated, seats changed, conflicts and
 * dead letters, summed over the report's parts (catalog entities, inventory poll and reconcile). */
export function summary(counts: Record<string, unknown>): string {
  const totals: Record<string, number> = {};
  const walk = (value: unknown) => {
    if (!value || typeof value !== "object" || Array.isArray(value)) return;
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      if (typeof inner === "number" && key in LABELS) totals[key] = (totals[key] ?? 0) + inner;
      else walk(inner);
    }
  };
  walk(counts);
  const parts = Object.entries(LABELS)
    .filter(([key]) => totals[key])
    .map(([key, [one, many]]) => `${totals[key]} ${totals[key] === 1 ? one : many}`);
  return parts.length ? parts.join(", ") : "no changes";
}

const LABELS: Record<string, [string, string]> = {
  created: ["created", "created"],
  updated: ["updated", "updated"],
  seats_changed: ["seat changed", "seats changed"],
  conflicts: ["conflict", "conflicts"],
  dead_letters: ["dead letter", "dead letters"],
};
