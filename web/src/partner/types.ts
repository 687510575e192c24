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
  funnel: { stage: string; count: number; from_previous: number | null }[];
  abandonment: { holds: number; abandoned: number; rate: number | null };
  active_customers: number | null;
  occupancy: { shows: number; capacity: number; sold: number; rate: number | null };
};

export type BreakdownRow = Counts & {
  key: string;
  currency: string;
  revenue: number;
  cancel_refunds: number;
  cancel_fees: number;
  refunded: number;
};

export type ShowRow = {
  show_id: string;
  theatre_id: string;
  screen_id: string;
  movie_id: string;
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
