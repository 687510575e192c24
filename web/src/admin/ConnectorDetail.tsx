// One connector: its definition, an edit form (name, mapping, endpoint and settings as JSON), a
// link to its mapping editor (MappingEditor.tsx), the download of its allocation sales when it
// sells an allocation, and its recent import runs (catalog, localization, inventory) with the
// mapping revision each used.
import { type FormEvent, useCallback, useEffect, useId, useState } from "react";
import { Link, useParams } from "react-router";
import { api, problemOf, type Schemas } from "../api/client";
import { Alert, Button, Field, Loading } from "../ui";
import { summary } from "./runSummary";

type Connector = Schemas["ConnectorOut"];
type Run = Schemas["ImportRunOut"];

export function ConnectorDetail() {
  const { connectorId = "" } = useParams();
  const [connector, setConnector] = useState<Connector | null | undefined>(undefined);
  const [runs, setRuns] = useState<Run[] | null>(null);
  const load = useCallback(async () => {
    const path = { connector_id: connectorId };
    const [one, recent] = await Promise.all([
      api.GET("/v1/admin/connectors/{connector_id}", { params: { path } }),
      api.GET("/v1/admin/connectors/{connector_id}/runs", { params: { path, query: { limit: 20 } } }),
    ]);
    setConnector(one.data ?? null);
    setRuns(recent.data ?? []);
  }, [connectorId]);
  useEffect(() => {
    void load();
  }, [load]);

  if (connector === undefined) return <Loading label="Loading the connector…" />;
  if (connector === null)
    return (
      <div className="stack">
        <h1>Connector not found</h1>
        <p>
          No connector {connectorId}. <Link to="/admin/connectors">Every connector</Link>
        </p>
      </div>
    );
  return (
    <div className="stack">
      <p>
        <Link to="/admin/connectors">Every connector</Link>
      </p>
      <h1>Connector: {connector.name}</h1>
      <dl className="health">
        <dt>Id</dt>
        <dd>{connector.id}</dd>
        <dt>Adapter</dt>
        <dd>{connector.adapter}</dd>
        <dt>Mapping</dt>
        <dd>{connector.mapping}</dd>
        <dt>Status</dt>
        <dd>{connector.status}</dd>
      </dl>
      <EditConnector connector={connector} onSaved={setConnector} />
      {connector.settings?.online_sales === "allocation" && <AllocationSales connectorId={connector.id} />}
      <h2>Mapping</h2>
      <p>
        <span className="path">{connector.mapping}</span>.{" "}
        <Link to={`/admin/connectors/${encodeURIComponent(connector.id)}/mapping`}>Open the mapping editor</Link> to
        change it, validate it and try it on a sample payload.
      </p>
      <h2>Recent import runs</h2>
      {!runs ? (
        <Loading label="Loading the runs…" />
      ) : runs.length === 0 ? (
        <p className="muted">No import runs recorded yet.</p>
      ) : (
        <div className="table-wrap" tabIndex={0}>
          <table className="data" aria-label="Import runs">
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Finished</th>
                <th scope="col">Status</th>
                <th scope="col">Mapping</th>
                <th scope="col">Counts</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id}>
                  <th scope="row">{r.kind}</th>
                  <td>{when(r.finished_at)}</td>
                  <td>
                    <span className={`tag status-${r.status}`}>{r.status}</span>
                    {r.error && <small className="block clash-text">{r.error}</small>}
                  </td>
                  <td>
                    {r.mapping_system ?? "?"} v{r.mapping_version ?? "?"}
                    {r.mapping_fingerprint && (
                      <small className="block muted">
                        {fileName(r.mapping_path)} · revision {r.mapping_fingerprint}
                      </small>
                    )}
                  </td>
                  <td>{summary(r.counts)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function EditConnector({ connector, onSaved }: { connector: Connector; onSaved: (c: Connector) => void }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(connector.name);
  const [mapping, setMapping] = useState(connector.mapping);
  const [endpoint, setEndpoint] = useState(pretty(connector.endpoint));
  const [settings, setSettings] = useState(pretty(connector.settings));
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const endpointId = useId();
  const settingsId = useId();

  const start = () => {
    setName(connector.name);
    setMapping(connector.mapping);
    setEndpoint(pretty(connector.endpoint));
    setSettings(pretty(connector.settings));
    setMessage(null);
    setOpen(true);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const body: Schemas["ConnectorPatch"] = {};
    for (const [label, text, current, key] of [
      ["Endpoint", endpoint, connector.endpoint, "endpoint"],
      ["Settings", settings, connector.settings, "settings"],
    ] as const) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        setMessage({ kind: "error", text: `${label} is not valid JSON.` });
        return;
      }
      if (!value || typeof value !== "object" || Array.isArray(value)) {
        setMessage({ kind: "error", text: `${label} must be a JSON object.` });
        return;
      }
      if (JSON.stringify(value) !== JSON.stringify(current)) body[key] = value as Record<string, unknown>;
    }
    if (name !== connector.name) body.name = name;
    if (mapping !== connector.mapping) body.mapping = mapping;
    if (Object.keys(body).length === 0) {
      setMessage({ kind: "error", text: "Nothing changed." });
      return;
    }
    setBusy(true);
    const { data, error } = await api.PATCH("/v1/admin/connectors/{connector_id}", {
      params: { path: { connector_id: connector.id } },
      body,
    });
    setBusy(false);
    if (error || !data) {
      setMessage({ kind: "error", text: refusal(error) });
      return;
    }
    onSaved(data);
    setOpen(false);
    setMessage({ kind: "ok", text: `Saved: ${Object.keys(body).sort().join(", ")}.` });
  };

  return (
    <section className="stack" aria-label="Edit the connector">
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      {!open ? (
        <div className="row">
          <Button onClick={start}>Edit</Button>
        </div>
      ) : (
        <form className="form stack" onSubmit={save}>
          <h2>Edit {connector.id}</h2>
          <Field label="Name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
          <Field
            label="Mapping"
            value={mapping}
            maxLength={200}
            onChange={(e) => setMapping(e.target.value)}
            hint="A mapping file inside mappings/"
          />
          <div className="field">
            <label htmlFor={endpointId}>Endpoint (JSON)</label>
            <textarea
              id={endpointId}
              rows={4}
              spellCheck={false}
              value={endpoint}
              onChange={(e) => setEndpoint(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={settingsId}>Settings (JSON)</label>
            <textarea
              id={settingsId}
              rows={6}
              spellCheck={false}
              value={settings}
              onChange={(e) => setSettings(e.target.value)}
            />
          </div>
          <div className="row">
            <Button type="submit" variant="primary" disabled={busy}>
              Save
            </Button>
            <Button onClick={() => setOpen(false)}>Cancel</Button>
          </div>
        </form>
      )}
    </section>
  );
}

/** The seats sold from the theatre's allocation on one business day, as the CSV the theatre
 * receives (`sales_report`); a plain link, so the browser downloads it with the session. */
function AllocationSales({ connectorId }: { connectorId: string }) {
  const [day, setDay] = useState(today());
  const href =
    `/v1/admin/connectors/${encodeURIComponent(connectorId)}/allocation-sales.csv?` +
    new URLSearchParams({ date: day }).toString();
  return (
    <section className="stack" aria-labelledby="allocation-sales-h">
      <h2 id="allocation-sales-h">Allocation sales</h2>
      <p className="muted">
        Every seat Marquee sold from the theatre's allocation on a business day, cancelled ones included.
      </p>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Allocation sales day">
        <Field label="Business day" type="date" value={day} required onChange={(e) => setDay(e.target.value)} />
        {day ? (
          <a className="btn small" href={href} download>
            Download allocation sales (CSV)
          </a>
        ) : null}
      </form>
    </section>
  );
}

/** Today's date where the admin is, as YYYY-MM-DD. */
function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The API's refusal in words: its detail, and each field's message when they add to it. */
function refusal(error: unknown): string {
  const problem = problemOf(error);
  if (!problem) return "The connector could not be saved.";
  const errors = Array.isArray(problem.errors) ? (problem.errors as { field?: string; message?: string }[]) : [];
  const extra = errors
    .filter((e) => e.message && !String(problem.detail ?? "").includes(e.message))
    .map((e) => `${e.field ?? ""}: ${e.message}`);
  return [problem.detail ?? problem.title ?? "The connector could not be saved.", ...extra].join(" ");
}

const fileName = (path: string | null | undefined) => (path ?? "").split("/").pop() ?? "";

const pretty = (value: unknown) => JSON.stringify(value ?? {}, null, 2);

const when = (iso: string) =>
  new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
