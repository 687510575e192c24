// Admin support tools: find a booking, payments that need a person, feature flags per place.
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { api, problemOf } from "../api/client";
import { formatMoney } from "../api/money";
import { Alert, Button, Field, Loading, Select } from "../ui";

type Money = { amount: number; currency: string };
type Booking = {
  id: string;
  code: string;
  status: string;
  show_id: string;
  movie_title: string;
  theatre_name: string;
  screen_name: string;
  start_at: string;
  timezone: string;
  city: string;
  customer_id: string;
  total: Money;
  created_at: string;
};

/** The show's start as the theatre's clock reads it. */
const showTime = (b: Booking) =>
  new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: b.timezone }).format(
    new Date(b.start_at),
  );
type Payment = {
  id: string;
  booking_id: string;
  booking_code: string;
  booking_status: string;
  gateway: string;
  gateway_ref: string | null;
  status: string;
  reason: string;
  detail: string;
  action: string;
  last_error: string | null;
  amount: Money;
  refunded: Money;
  booking_total: Money;
  updated_at: string;
};
type Flag = { key: string; scope: string; scope_value: string; enabled: boolean; note: string; updated_by: string };

type Loose = (path: string, init?: object) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
const get = api.GET as unknown as Loose;
const put = api.PUT as unknown as Loose;
const del = api.DELETE as unknown as Loose;

export function BookingSearch() {
  // A link from another admin page may name the booking: /admin/bookings?q=CODE.
  const [params] = useSearchParams();
  const [q, setQ] = useState(params.get("q") ?? "");
  const [status, setStatus] = useState("");
  const [rows, setRows] = useState<Booking[] | null>(null);
  const search = async (e?: FormEvent) => {
    e?.preventDefault();
    const query: Record<string, string> = {};
    if (q.trim()) query.q = q.trim();
    if (status) query.status = status;
    const { data } = await get("/v1/admin/bookings/search", { params: { query } });
    setRows((data as Booking[]) ?? []);
  };
  useEffect(() => {
    void search();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <div className="stack">
      <h1>Bookings</h1>
      <form className="filters" onSubmit={search} role="search">
        <Field label="Code or id" value={q} onChange={(e) => setQ(e.target.value)} />
        <Select
          label="Status"
          value={status}
          onChange={setStatus}
          options={["", "pending", "confirmed", "cancelled", "failed"].map((s) => ({ value: s, label: s || "Any" }))}
        />
        <button type="submit" className="btn">
          Search
        </button>
      </form>
      {!rows ? (
        <Loading label="Searching…" />
      ) : (
        <div className="table-wrap" tabIndex={0}>
          <table className="data" aria-label="Bookings found">
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Status</th>
                <th scope="col">Show</th>
                <th scope="col">City</th>
                <th scope="col">Customer</th>
                <th scope="col" className="num">Total</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((b) => (
                <tr key={b.id}>
                  <th scope="row">{b.code}</th>
                  <td>{b.status}</td>
                  <td>
                    {b.movie_title}
                    <small className="muted block">
                      {b.theatre_name} · {b.screen_name} · {showTime(b)}
                    </small>
                  </td>
                  <td>{b.city}</td>
                  <td>{b.customer_id}</td>
                  <td className="num">{formatMoney(b.total, "en")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

const REASONS: Record<string, string> = {
  stuck: "Stuck in flight",
  refund_failed: "Refund failed",
  refund_pending: "Refund still retrying",
  disputed: "Chargeback",
  paid_not_booked: "Paid, not booked",
  amount_mismatch: "Amount differs",
};

export function PaymentsAttention() {
  const [rows, setRows] = useState<Payment[] | null>(null);
  useEffect(() => {
    get("/v1/admin/payments/attention").then(({ data }) => setRows((data as Payment[]) ?? []));
  }, []);
  return (
    <div className="stack">
      <h1>Payments needing attention</h1>
      <p className="muted">
        Only payments a person has to act on. Declined cards and refunds that went through are not listed.
      </p>
      {!rows ? (
        <Loading label="Loading payments…" />
      ) : rows.length === 0 ? (
        <p className="muted">Nothing needs a person right now.</p>
      ) : (
        <div className="table-wrap" tabIndex={0}>
          <table className="data" aria-label="Payments needing attention">
            <thead>
              <tr>
                <th scope="col">Why</th>
                <th scope="col">What to do</th>
                <th scope="col">Booking</th>
                <th scope="col">Payment</th>
                <th scope="col" className="num">Amount</th>
                <th scope="col" className="num">Refunded</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.id}>
                  <th scope="row">
                    {REASONS[p.reason] ?? p.reason.replaceAll("_", " ")}
                    <small className="muted block">{p.detail}</small>
                    {p.last_error && <small className="block">Last error: {p.last_error}</small>}
                  </th>
                  <td>{p.action}</td>
                  <td>
                    <Link to={`/admin/bookings?q=${encodeURIComponent(p.booking_code)}`}>{p.booking_code}</Link>{" "}
                    <small className="muted">({p.booking_status})</small>
                  </td>
                  <td>
                    {p.gateway} · {p.status.replaceAll("_", " ")}
                    {p.gateway_ref && <small className="muted block">{p.gateway_ref}</small>}
                  </td>
                  <td className="num">
                    {formatMoney(p.amount, "en")}
                    {p.reason === "amount_mismatch" && (
                      <small className="muted block">booking {formatMoney(p.booking_total, "en")}</small>
                    )}
                  </td>
                  <td className="num">{formatMoney(p.refunded, "en")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function Flags() {
  const [rows, setRows] = useState<Flag[] | null>(null);
  const [key, setKey] = useState("");
  const [scope, setScope] = useState("global");
  const [value, setValue] = useState("");
  const [enabled, setEnabled] = useState("on");
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const load = useCallback(async () => {
    const { data } = await get("/v1/admin/flags");
    setRows((data as Flag[]) ?? []);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const { error } = await put(`/v1/admin/flags/${encodeURIComponent(key.trim())}`, {
      body: { scope, value, enabled: enabled === "on" },
    });
    setMessage(error ? { kind: "error", text: problemOf(error)?.detail ?? "Not saved." } : { kind: "ok", text: `${key} saved.` });
    await load();
  };
  const remove = async (f: Flag) => {
    await del(`/v1/admin/flags/${encodeURIComponent(f.key)}`, { params: { query: { scope: f.scope, value: f.scope_value } } });
    await load();
  };
  return (
    <div className="stack">
      <h1>Feature flags</h1>
      <p className="muted">A city row beats a country row, which beats the global row; no row means off.</p>
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      <form className="filters" onSubmit={save} aria-label="Set a flag">
        <Field label="Flag" value={key} onChange={(e) => setKey(e.target.value)} required pattern="[a-z0-9][a-z0-9_.-]*" />
        <Select
          label="Scope"
          value={scope}
          onChange={setScope}
          options={[
            { value: "global", label: "Everywhere" },
            { value: "country", label: "Country" },
            { value: "city", label: "City" },
          ]}
        />
        {scope !== "global" && (
          <Field label={scope === "country" ? "Country code" : "City"} value={value} onChange={(e) => setValue(e.target.value)} required />
        )}
        <Select label="State" value={enabled} onChange={setEnabled} options={[{ value: "on", label: "On" }, { value: "off", label: "Off" }]} />
        <button type="submit" className="btn primary">
          Save flag
        </button>
      </form>
      {!rows ? (
        <Loading label="Loading flags…" />
      ) : (
        <div className="table-wrap" tabIndex={0}>
          <table className="data" aria-label="Flags">
            <thead>
              <tr>
                <th scope="col">Flag</th>
                <th scope="col">Scope</th>
                <th scope="col">Where</th>
                <th scope="col">State</th>
                <th scope="col">By</th>
                <th scope="col">Remove</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((f) => (
                <tr key={`${f.key}|${f.scope}|${f.scope_value}`}>
                  <th scope="row">{f.key}</th>
                  <td>{f.scope}</td>
                  <td>{f.scope_value || "everywhere"}</td>
                  <td>{f.enabled ? "on" : "off"}</td>
                  <td>{f.updated_by}</td>
                  <td>
                    <Button small onClick={() => remove(f)}>
                      Remove {f.key} {f.scope_value}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
