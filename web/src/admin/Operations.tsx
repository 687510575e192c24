// Admin operations backed by the existing admin API: connectors (health, test, pause, resume;
// each one's page in ConnectorDetail.tsx), users and roles, and the audit log with filters.
import { useCallback, useEffect, useState } from "react";
import { Link } from "react-router";
import { api, problemOf, type Schemas } from "../api/client";
import { Alert, Button, Field, Loading, Select } from "../ui";

export function Connectors() {
  const [items, setItems] = useState<Schemas["ConnectorOut"][] | null>(null);
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const load = useCallback(async () => {
    const { data } = await api.GET("/v1/admin/connectors", { params: { query: { limit: 200 } } });
    setItems(data?.items ?? []);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const act = async (id: string, verb: "test" | "pause" | "resume") => {
    const path = `/v1/admin/connectors/{connector_id}/${verb}` as "/v1/admin/connectors/{connector_id}/test";
    const { data, error } = await api.POST(path, { params: { path: { connector_id: id } } });
    if (error) setMessage({ kind: "error", text: `${id}: ${problemOf(error)?.detail ?? `${verb} failed`}` });
    else if (verb === "test") {
      const result = data as unknown as Schemas["ConnectorTestOut"];
      setMessage({
        kind: result.ok ? "ok" : "error",
        text: `${id}: ${result.ok ? "reachable" : "failed"} in ${Math.round(result.duration_ms)} ms. ${result.detail}`,
      });
    } else setMessage({ kind: "ok", text: `${id}: ${verb}d` });
    await load();
  };

  return (
    <div className="stack">
      <h1>Connectors</h1>
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      {!items ? (
        <Loading label="Loading connectors…" />
      ) : items.length === 0 ? (
        <p className="muted">No connectors yet.</p>
      ) : (
        <div className="table-wrap" tabIndex={0}>
          <table className="data" aria-label="Connectors">
            <thead>
              <tr>
                <th scope="col">Connector</th>
                <th scope="col">Status</th>
                <th scope="col">Last sync</th>
                <th scope="col">Last error</th>
                <th scope="col" className="num">Dead letters</th>
                <th scope="col" className="num">Conflicts</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id}>
                  <th scope="row">
                    <Link to={`/admin/connectors/${encodeURIComponent(c.id)}`}>{c.name}</Link>
                    <small className="muted block">
                      {c.id} · {c.adapter}
                    </small>
                  </th>
                  <td>
                    <Standing connector={c} />
                  </td>
                  <td>{c.last_sync_at ? when(c.last_sync_at) : <span className="muted">never</span>}</td>
                  <td>{c.last_error ?? <span className="muted">none</span>}</td>
                  <td className="num">
                    {c.open_dead_letters ? (
                      <Link to={`/admin/dead-letters?connector_id=${encodeURIComponent(c.id)}`}>
                        {c.open_dead_letters} open<span className="sr-only"> dead letters of {c.name}</span>
                      </Link>
                    ) : (
                      0
                    )}
                    {c.last_dead_letter && <small className="muted block">newest: {c.last_dead_letter}</small>}
                  </td>
                  <td className="num">
                    {c.open_conflicts ? (
                      <Link to={`/admin/conflicts?connector_id=${encodeURIComponent(c.id)}`}>
                        {c.open_conflicts} open<span className="sr-only"> conflicts of {c.name}</span>
                      </Link>
                    ) : (
                      0
                    )}
                  </td>
                  <td>
                    <div className="row">
                      <Button small onClick={() => act(c.id, "test")}>
                        Test {c.name}
                      </Button>
                      {c.status === "active" ? (
                        <Button small onClick={() => act(c.id, "pause")}>
                          Pause {c.name}
                        </Button>
                      ) : (
                        <Button small onClick={() => act(c.id, "resume")}>
                          Resume {c.name}
                        </Button>
                      )}
                    </div>
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

const when = (iso: string) =>
  new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));

/** Paused or active, and what the last test said: never checked, reachable or failing. */
function Standing({ connector }: { connector: Schemas["ConnectorOut"] }) {
  const health = connector.health ?? {};
  const checked = typeof health.checked_at === "string" ? health.checked_at : null;
  const verdict = health.ok === true ? "reachable" : health.ok === false ? "failing" : "not tested yet";
  return (
    <>
      <span className={`tag status-${connector.status}`}>{connector.status}</span>
      <small className={`block${health.ok === false ? " clash-text" : " muted"}`}>
        {verdict}
        {checked && ` (tested ${when(checked)})`}
      </small>
    </>
  );
}

export function Users() {
  const [role, setRole] = useState("");
  const [items, setItems] = useState<Schemas["UserOut"][] | null>(null);
  useEffect(() => {
    const query = role ? { role: role as Schemas["UserOut"]["role"], limit: 200 } : { limit: 200 };
    api.GET("/v1/admin/users", { params: { query: query as never } }).then(({ data }) => setItems(data?.items ?? []));
  }, [role]);
  return (
    <div className="stack">
      <h1>Users and roles</h1>
      <Select
        label="Role"
        value={role}
        onChange={setRole}
        options={[
          { value: "", label: "Every role" },
          { value: "admin", label: "Admin" },
          { value: "partner", label: "Partner" },
          { value: "customer", label: "Customer" },
        ]}
      />
      {!items ? (
        <Loading label="Loading users…" />
      ) : (
        <div className="table-wrap" tabIndex={0}>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">E-mail</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Partner</th>
                <th scope="col">Active</th>
              </tr>
            </thead>
            <tbody>
              {items.map((u) => (
                <tr key={u.id}>
                  <th scope="row">{u.email}</th>
                  <td>{u.name}</td>
                  <td>{u.role}</td>
                  <td>{u.partner_id ?? ""}</td>
                  <td>{u.active ? "yes" : "no"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function AuditLog() {
  const [actor, setActor] = useState("");
  const [action, setAction] = useState("");
  const [items, setItems] = useState<Schemas["AuditOut"][] | null>(null);
  useEffect(() => {
    const query: Record<string, string | number> = { limit: 200 };
    if (actor) query.actor = actor;
    if (action) query.action = action;
    api.GET("/v1/admin/audit-log", { params: { query } }).then(({ data }) => setItems(data?.items ?? []));
  }, [actor, action]);
  return (
    <div className="stack">
      <h1>Audit log</h1>
      <div className="filters">
        <Field label="Actor" value={actor} onChange={(e) => setActor(e.target.value)} />
        <Field label="Action" value={action} onChange={(e) => setAction(e.target.value)} placeholder="e.g. conflict.resolve" />
      </div>
      {!items ? (
        <Loading label="Loading the audit log…" />
      ) : items.length === 0 ? (
        <p className="muted">Nothing recorded.</p>
      ) : (
        <div className="table-wrap" tabIndex={0}>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id}>
                  <td>{new Date(a.at).toLocaleString()}</td>
                  <td>{a.actor}</td>
                  <td>{a.action}</td>
                  <td>{a.target}</td>
                  <td>
                    <code>{JSON.stringify(a.detail)}</code>
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
