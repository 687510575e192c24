// Dead letters: the record that failed to map, why, which field and mapping version, the call
// variables it was read with; replay (after the mapping is fixed) or discard, one at a time or
// all selected at once.
import { useCallback, useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, problemOf, type Schemas } from "../api/client";
import { Alert, Button, Card, Loading } from "../ui";
import { callVars } from "./callVars";

type DeadLetter = Schemas["DeadLetterOut"];

export function DeadLetters() {
  const [items, setItems] = useState<DeadLetter[] | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [messages, setMessages] = useState<{ kind: "ok" | "error"; text: string }[]>([]);
  // The connectors page links here for one connector: /admin/dead-letters?connector_id=ID.
  const connectorId = useSearchParams()[0].get("connector_id") ?? undefined;
  const load = useCallback(async () => {
    const { data } = await api.GET("/v1/admin/dead-letters", {
      params: { query: { status: "open", connector_id: connectorId } },
    });
    setItems(data?.items ?? []);
  }, [connectorId]);
  useEffect(() => {
    void load();
  }, [load]);

  const act = async (ids: string[], verb: "replay" | "discard") => {
    const out: { kind: "ok" | "error"; text: string }[] = [];
    for (const id of ids) {
      const path =
        verb === "replay"
          ? ("/v1/admin/dead-letters/{dead_letter_id}/replay" as const)
          : ("/v1/admin/dead-letters/{dead_letter_id}/discard" as const);
      const { error } = await api.POST(path, { params: { path: { dead_letter_id: id } } });
      out.push(
        error
          ? { kind: "error", text: `${id}: ${problemOf(error)?.detail ?? `${verb} failed`}` }
          : { kind: "ok", text: `${id}: ${verb === "replay" ? "replayed" : "discarded"}` },
      );
    }
    setMessages(out);
    setSelected(new Set());
    await load();
  };

  return (
    <div className="stack">
      <h1>Dead letters</h1>
      {connectorId && (
        <p>
          Only connector {connectorId}. <Link to="/admin/dead-letters">Show every connector</Link>
        </p>
      )}
      {messages.map((m) => (
        <Alert key={m.text} kind={m.kind}>
          {m.text}
        </Alert>
      ))}
      {!items ? (
        <Loading label="Loading dead letters…" />
      ) : items.length === 0 ? (
        <p className="muted">No open dead letters.</p>
      ) : (
        <>
          <div className="row">
            <Button small disabled={!selected.size} onClick={() => act([...selected], "replay")}>
              Replay selected ({selected.size})
            </Button>
            <Button small disabled={!selected.size} onClick={() => act([...selected], "discard")}>
              Discard selected
            </Button>
          </div>
          {items.map((d) => (
            <Card key={d.id}>
              <article className="stack" aria-label={`Dead letter ${d.id}`}>
                <label className="row">
                  <input
                    type="checkbox"
                    checked={selected.has(d.id)}
                    onChange={(e) => {
                      const next = new Set(selected);
                      if (e.target.checked) next.add(d.id);
                      else next.delete(d.id);
                      setSelected(next);
                    }}
                  />
                  <strong>
                    {d.entity} · {d.mapping_system} v{d.mapping_version}
                  </strong>
                </label>
                <p>
                  {d.reason}
                  {d.field && <span className="tag">field {d.field}</span>}
                </p>
                {callVars(d.vars) && (
                  <p className="muted">Read with {callVars(d.vars)}</p>
                )}
                <pre className="payload">{d.payload}</pre>
                <div className="row">
                  <Button small variant="primary" onClick={() => act([d.id], "replay")}>
                    Replay
                  </Button>
                  <Button small onClick={() => act([d.id], "discard")}>
                    Discard
                  </Button>
                </div>
              </article>
            </Card>
          ))}
        </>
      )}
    </div>
  );
}
