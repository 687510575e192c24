// Seat categories as customers read them. Legacy POSes name categories by codes ("0000000001");
// the seat map carries `category_labels` (display name and sort order per code) and the page
// shows those, each with its own colour and pattern (a cue that does not depend on colour).
import type { Schemas } from "../api/client";
import { inkOn } from "../ui/contrast";
import type { MessageKey } from "../i18n/en";

type Money = Schemas["Money"];
type SeatMapLike = Pick<Schemas["SeatMapOut"], "categories" | "category_labels" | "seats">;
type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** How many colour-and-pattern styles exist (seatmap.css `.cat-slot-N`); more categories reuse them. */
export const CATEGORY_SLOTS = 6;

export type CategoryView = {
  code: string;
  name: string;
  /** The category's first ticket type's price (what the map carries), if the show sells it. */
  price: Money | null;
  /** Which colour and pattern (0 .. CATEGORY_SLOTS-1). */
  slot: number;
  /** The theatre's own colour for the category (#rrggbb), drawn over the slot's fill. */
  colour: string | null;
};

/** A seat's style for a category the theatre coloured: its fill (and a legible ink on it),
 * keeping the slot's outline and pattern (the cue that does not depend on colour). */
export function colourStyle(colour: string | null | undefined): Record<string, string> | undefined {
  return colour ? { "--cat-fill": colour, "--cat-ink": inkOn(colour) } : undefined;
}

/** The name the server gives a code nobody named (booking/seat_categories.py `readable`). */
export function readableCode(code: string): string {
  if (/^\d+$/.test(code)) return `Category ${Number.parseInt(code, 10)}`;
  const words = code.replace(/[_-]+/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : code;
}

const KNOWN: Record<string, MessageKey> = {
  standard: "seat.cat.standard",
  premium: "seat.cat.premium",
  recliner: "seat.cat.recliner",
};

/**
 * The display name in the interface language. A name a partner or the POS chose is shown as it
 * is; the server's fallback for an unnamed code (English) is replaced by the app's own words.
 */
export function categoryName(code: string, label: string | undefined, t: Translate): string {
  if (label && label !== readableCode(code)) return label;
  if (/^\d+$/.test(code)) return t("seat.cat.number", { number: Number.parseInt(code, 10) });
  const known = KNOWN[code.toLowerCase()];
  return known ? t(known) : (label ?? readableCode(code));
}

/** Every category of the map in display order: labelled ones by sort order, then the rest. */
export function categoryViews(map: SeatMapLike, t: Translate): CategoryView[] {
  const labels = [...(map.category_labels ?? [])].sort(
    (a, b) => a.sort_order - b.sort_order || a.name.localeCompare(b.name),
  );
  const codes: string[] = labels.map((l) => l.code);
  for (const code of Object.keys(map.categories)) if (!codes.includes(code)) codes.push(code);
  for (const seat of map.seats) if (!codes.includes(seat.category)) codes.push(seat.category);
  const named = new Map(labels.map((l) => [l.code, l.name]));
  const colours = new Map(labels.map((l) => [l.code, l.colour ?? null]));
  return codes.map((code, i) => ({
    code,
    name: categoryName(code, named.get(code), t),
    price: map.categories[code]?.price ?? null,
    slot: i % CATEGORY_SLOTS,
    colour: colours.get(code) ?? null,
  }));
}
