// Seats a signed-out customer picked, kept across the sign-in (or sign-up) detour so the seat
// map comes back with the same seats selected. sessionStorage: this tab only, gone when it
// closes; the seats are re-checked against the live map before they are selected again.
const KEY = "marquee.pendingSeats";
const MAX_AGE_MS = 30 * 60 * 1000;

type Pending = { showId: string; seats: string[]; at: number };

export function keepPendingSeats(showId: string, seats: readonly string[], now = Date.now()): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ showId, seats: [...seats], at: now }));
  } catch {
    /* storage full or blocked: the customer picks again */
  }
}

/** The seats kept for this show (once: they are forgotten as they are read). */
export function takePendingSeats(showId: string, now = Date.now()): string[] {
  let pending: Pending | null = null;
  try {
    const raw = sessionStorage.getItem(KEY);
    pending = raw ? (JSON.parse(raw) as Pending) : null;
  } catch {
    pending = null;
  }
  if (!pending || pending.showId !== showId) return [];
  sessionStorage.removeItem(KEY);
  if (now - pending.at > MAX_AGE_MS || !Array.isArray(pending.seats)) return [];
  return pending.seats.filter((s): s is string => typeof s === "string");
}
