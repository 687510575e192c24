// Shapes of the analytics API's answers (the OpenAPI document types them as open objects).
export type Money = { amount: number; currency: string };

export type Counts = {
  show_views: number;
  seat_map_views: number;
  holds: number;
  held_seats: number;
  holds_released: number;
  holds_expired: number;
  holds_abandoned: number;
  checkouts: number;
  bookings: number;
  tickets: number;
  failed_payments: number;
  failed_sales: number;
  cancellations: number;
  cancelled_tickets: number;
  refunds: number;
};

export type MoneyRow = {
  currency: string;
  revenue: number;
  cancel_refunds: number;
  cancel_fees: number;
  refunded: number;
  bookings: number;
};

export type Summary = {
  counts: Counts;
  money: MoneyRow[];
  funnel: FunnelStep[];
  abandonment: { holds: number; abandoned: number; rate: number | null };
  active_customers: number | null;
  occupancy: { shows: number; capacity: number; sold: number; rate: number | null };
};

/** One funnel step: `of_base` is its share of the funnel's top step (`base`), which is the
 * first step at least as large as every later one; `note` says why a share is missing. */
export type FunnelStep = {
  stage: string;
  count: number;
  of_base: number | null;
  from_previous: number | null;
  base: string;
  note: string | null;
};

export type BreakdownRow = Counts & {
  key: string;
  /** What people call the theatre, screen or movie the `key` (an id) stands for. */
  name?: string;
  theatre_name?: string | null;
  currency: string;
  revenue: number;
  cancel_refunds: number;
  cancel_fees: number;
  refunded: number;
};

export type ShowRow = {
  show_id: string;
  theatre_id: string;
  theatre_name: string;
  screen_id: string;
  screen_name: string;
  movie_id: string;
  movie_title: string;
  start_at: string;
  timezone: string;
  business_date: string;
  status: string;
  capacity: number;
  sold: number;
  occupancy: number | null;
  bookings: number;
  revenue: Money;
  cancellations: number;
};

export type PacePoint = {
  days_before: number;
  bookings: number;
  tickets: number;
  cumulative_tickets: number;
};

export type ReasonRow = {
  kind: string;
  reason: string;
  currency: string;
  count: number;
  amount: number;
};
