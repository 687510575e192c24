// The sync-conflict queue: the booking, what the POS claims, and one click per action the API
// offers for that kind of conflict (every action is audit-logged by the API).
import { useCallback, useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, problemOf, type Schemas } from "../api/client";
import { Alert, Button, Card, Loading } from "../ui";

type Conflict = Schemas["ConflictOut"];
type Action = Schemas["ResolveIn"]["action"];

const ACTIONS: Record<string, Action[]> = {
  pos_sold_booked_seat: ["refund_customer", "keep_booking"],
  sale_commit_failed: ["refund_customer", "keep_booking"],
  pos_sold_held_seat: ["acknowledge"],
};
const OTHER: Action[] = ["accept_theatre", "keep_marquee", "dismiss"];

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
    const { error } = await api.POST("/v1/admin/conflicts/{conflict_id}/resolve", {
      params: { path: { conflict_id: conflict.id } },
      body: { action, note: "" },
    });
    setMessage(
      error
        ? { kind: "error", text: problemOf(error)?.detail ?? "The action failed." }
        : { kind: "ok", text: `Conflict ${conflict.id}: ${action.replaceAll("_", " ")}.` },
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
        items.map((c) => (
          <Card key={c.id}>
            <article className="stack" aria-label={`Conflict ${c.id}`}>
              <h2>{c.kind.replaceAll("_", " ")}</h2>
              <p className="muted">
                {c.connector_id ?? "native"} · show {c.show_id ?? "–"} · seat {c.seat_id ?? "–"} ·{" "}
                {new Date(c.created_at).toLocaleString()}
              </p>
              <p>What Marquee did: {c.action_taken}</p>
              <pre className="payload">{JSON.stringify(c.detail, null, 2)}</pre>
              {c.status === "open" ? (
                <div className="row">
                  {(ACTIONS[c.kind] ?? OTHER).map((a) => (
                    <Button key={a} small variant={a === "refund_customer" ? "danger" : "default"} onClick={() => resolve(c, a)}>
                      {a.replaceAll("_", " ")}
                    </Button>
                  ))}
                </div>
              ) : (
                <p>Resolved: {c.resolution}</p>
              )}
            </article>
          </Card>
        ))
      )}
    </div>
  );
}
