// The sync-conflict queue: each conflict as an admin reads it (film, theatre, the show's time at
// the theatre, the seat as printed, the customer's booking and what the POS claims), and one
// click per action the API offers for that kind of conflict (every action is audit-logged).
import { useCallback, useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, problemOf, type Schemas } from "../api/client";
import { formatDateTime } from "../api/money";
import { Alert, Button, Card, Loading } from "../ui";

type Conflict = Schemas["ConflictOut"];
type Action = Schemas["ResolveIn"]["action"];

const ACTIONS: Record<string, Action[]> = {
  pos_sold_booked_seat: ["refund_customer", "keep_booking"],
  sale_commit_failed: ["refund_customer", "keep_booking"],
  pos_sold_held_seat: ["acknowledge"],
};
const OTHER: Action[] = ["accept_theatre", "keep_marquee", "dismiss"];

const KINDS: Record<string, string> = {
  pos_sold_booked_seat: "The theatre's POS sold a seat a customer booked",
  sale_commit_failed: "The theatre's POS refused a sale Marquee took",
  pos_sold_held_seat: "The theatre's POS sold a seat a customer was holding",
};
const SOURCES: Record<string, string> = {
  pos_push: "pushed by the POS",
  pos_poll: "read from the POS's feed",
  reconcile: "found when reconciling with the POS",
};

const readable = (code: string) => code.replaceAll("_", " ");

/** What the POS claims, in a sentence: its status for the seat, its reference and how we heard. */
function posClaim(c: Conflict): string {
  const detail = (c.detail ?? {}) as Record<string, unknown>;
  const seat = c.seat_label ?? c.seat_id ?? "the seat";
  const status = c.pos_status ?? (c.kind === "sale_commit_failed" ? "not sold to Marquee" : null);
  const parts = [status ? `Seat ${seat} is ${readable(status)}` : `Seat ${seat}`];
  if (c.pos_ref) parts.push(`its reference ${c.pos_ref}`);
  const source = typeof detail.source === "string" ? SOURCES[detail.source] : undefined;
  if (source) parts.push(source);
  return parts.join(", ") + ".";
}

function showTime(c: Conflict): string | null {
  if (!c.show_local_start) return null;
  // The theatre's own clock: the time printed on the customer's ticket.
  return formatDateTime(c.show_local_start, c.theatre_timezone ?? "UTC", "en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

export function Conflicts() {
  const [status, setStatus] = useState<"open" | "resolved">("open");
  const [items, setItems] = useState<Conflict[] | null>(null);
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  // The connectors page links here for one connector: /admin/conflicts?connector_id=ID.
  const connectorId = useSearchParams()[0].get("connector_id") ?? undefined;
  const load = useCallback(async () => {
    const { data } = await api.GET("/v1/admin/conflicts", { params: { query: { status, connector_id: connectorId } } });
    setItems(data?.items ?? []);
  }, [status, connectorId]);
  useEffect(() => {
    void load();
  }, [load]);

  const resolve = async (conflict: Conflict, action: Action) => {
    const { data, error } = await api.POST("/v1/admin/conflicts/{conflict_id}/resolve", {
      params: { path: { conflict_id: conflict.id } },
      body: { action, note: "" },
    });
    const booking = data?.booking_code ? ` Booking ${data.booking_code} is ${data.booking_status}.` : "";
    setMessage(
      error
        ? { kind: "error", text: problemOf(error)?.detail ?? "The action failed." }
        : { kind: "ok", text: `Resolved with ${readable(action)}.${booking}` },
    );
    await load();
  };

  return (
    <div className="stack">
      <h1>Sync conflicts</h1>
      {connectorId && (
        <p>
          Only connector {connectorId}. <Link to="/admin/conflicts">Show every connector</Link>
        </p>
      )}
      <div className="row" role="group" aria-label="Show">
        <Button variant={status === "open" ? "primary" : "default"} small onClick={() => setStatus("open")}>
          Open
        </Button>
        <Button variant={status === "resolved" ? "primary" : "default"} small onClick={() => setStatus("resolved")}>
          Resolved
        </Button>
      </div>
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      {!items ? (
        <Loading label="Loading conflicts…" />
      ) : items.length === 0 ? (
        <p className="muted">No {status} conflicts.</p>
      ) : (
        items.map((c) => <ConflictCard key={c.id} conflict={c} onResolve={resolve} />)
      )}
    </div>
  );
}

function ConflictCard({ conflict: c, onResolve }: { conflict: Conflict; onResolve: (c: Conflict, a: Action) => void }) {
  const when = showTime(c);
  return (
    <Card>
      <article className="stack" aria-label={`Conflict ${c.id}`}>
        <h2>{KINDS[c.kind] ?? readable(c.kind)}</h2>
        <dl className="health">
          <dt>Film</dt>
          <dd>{c.movie_title ?? "–"}</dd>
          <dt>Theatre</dt>
          <dd>{c.theatre_name ?? "–"}</dd>
          <dt>Show</dt>
          <dd>{when ? <time dateTime={c.show_local_start ?? undefined}>{when}</time> : "–"}</dd>
          <dt>Seat</dt>
          <dd>{c.seat_label ?? c.seat_id ?? "–"}</dd>
          <dt>Booking</dt>
          <dd>
            {c.booking_code ? (
              <>
                {c.booking_code}
                {c.booking_seat_labels?.length ? ` (seats ${c.booking_seat_labels.join(", ")})` : ""}
                {c.booking_status ? `, ${c.booking_status}` : ""}
              </>
            ) : (
              "–"
            )}
          </dd>
          <dt>The POS claims</dt>
          <dd>{posClaim(c)}</dd>
          <dt>What Marquee did</dt>
          <dd>{c.action_taken}</dd>
          <dt>Raised</dt>
          <dd>
            {new Date(c.created_at).toLocaleString()} by {c.connector_id ?? "a native sale"}
          </dd>
        </dl>
        <details>
          <summary>Details as recorded</summary>
          <pre className="payload">{JSON.stringify(c.detail, null, 2)}</pre>
        </details>
        {c.status === "open" ? (
          <div className="row">
            {(ACTIONS[c.kind] ?? OTHER).map((a) => (
              <Button key={a} small variant={a === "refund_customer" ? "danger" : "default"} onClick={() => onResolve(c, a)}>
                {readable(a)}
              </Button>
            ))}
          </div>
        ) : (
          <p>Resolved: {c.resolution}</p>
        )}
      </article>
    </Card>
  );
}
