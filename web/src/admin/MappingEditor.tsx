// The connector's mapping editor (/admin/connectors/:connectorId/mapping): the mapping as text,
// validated (problems by line, next to the editor), dry-run on a pasted payload, and saved. A
// save is a new file beside the old one that this connector then uses (other connectors on the
// old file keep it); the ETag read with the text goes back in If-Match, so another admin's save
// in between is a conflict, never overwritten.
import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { api, problemOf, type Schemas } from "../api/client";
import { Alert, Button, Loading, Select } from "../ui";
import { type Issue, issueText, issuesOf, lineRange } from "./mappingText";

type Mapping = Schemas["MappingOut"];
type DryRun = Schemas["DryRunOut"];
type Message = { kind: "ok" | "error" | "info"; text: string };

export function MappingEditor() {
  const { connectorId = "" } = useParams();
  return (
    <div className="stack mapping-page">
      <p>
        <Link to={`/admin/connectors/${encodeURIComponent(connectorId)}`}>Connector {connectorId}</Link>
      </p>
      <h1>Mapping of {connectorId}</h1>
      <Editor key={connectorId} connectorId={connectorId} />
    </div>
  );
}

function Editor({ connectorId }: { connectorId: string }) {
  const [current, setCurrent] = useState<Mapping | null | undefined>(undefined);
  const [failed, setFailed] = useState("");
  const [text, setText] = useState("");
  const [issues, setIssues] = useState<Issue[]>([]);
  const [message, setMessage] = useState<Message | null>(null);
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);
  const editor = useRef<HTMLTextAreaElement>(null);
  const editorId = useId();
  const hintId = useId();
  const issuesId = useId();
  const path = { connector_id: connectorId };

  const load = useCallback(async () => {
    const { data, error } = await api.GET("/v1/admin/connectors/{connector_id}/mapping", {
      params: { path: { connector_id: connectorId } },
    });
    if (!data) {
      setFailed(problemOf(error)?.detail ?? "The mapping could not be read.");
      setCurrent(null);
      return;
    }
    setCurrent(data);
    setText(data.text);
    setIssues(data.issues);
    setConflict(false);
  }, [connectorId]);
  useEffect(() => {
    void load();
  }, [load]);

  if (current === undefined) return <Loading label="Loading the mapping…" />;
  if (current === null) return <Alert kind="error">{failed}</Alert>;

  const changed = text !== current.text;

  const validate = async () => {
    setBusy(true);
    const { data, error } = await api.POST("/v1/admin/connectors/{connector_id}/mapping/validate", {
      params: { path },
      body: { text },
    });
    setBusy(false);
    if (!data) {
      setMessage({ kind: "error", text: problemOf(error)?.detail ?? "The mapping could not be checked." });
      return;
    }
    setIssues(data.issues);
    setMessage(
      data.valid
        ? {
            kind: "ok",
            text: `Valid: ${data.system} (language version ${data.language_version}), ${data.entities?.length ?? 0} entities, ${data.operations?.length ?? 0} operations.`,
          }
        : { kind: "error", text: `${count(data.issues.length)} in the mapping: see the list below the editor.` },
    );
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const { data, error, response } = await api.PUT("/v1/admin/connectors/{connector_id}/mapping", {
      params: { path, header: { "if-match": current.etag } },
      body: { text },
    });
    setBusy(false);
    if (data) {
      setCurrent(data);
      setText(data.text);
      setIssues([]);
      setConflict(false);
      setMessage({
        kind: "ok",
        text: `Saved as ${data.path} (revision ${data.fingerprint}). The connector uses it from now on.`,
      });
      return;
    }
    const problem = problemOf(error);
    if (response.status === 412) {
      setConflict(true);
      setMessage({
        kind: "error",
        text:
          "Someone changed this mapping since you opened it (another admin saved, or the file changed). " +
          "Nothing was saved. Your text is still in the editor: copy your change, load the current mapping and apply it again.",
      });
      return;
    }
    const found = issuesOf(problem);
    if (problem?.code === "invalid_mapping" && found.length) setIssues(found);
    setMessage({ kind: "error", text: `Not saved: ${problem?.detail ?? "the mapping could not be saved."}` });
  };

  const jump = (issue: Issue) => {
    const area = editor.current;
    if (!area) return;
    const [start, end] = lineRange(area.value, issue.line);
    area.focus();
    area.setSelectionRange(start, end);
    // Browsers do not scroll a textarea to its selection; lines never wrap here (white-space: pre).
    const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 18;
    area.scrollTop = Math.max(0, (issue.line - 4) * lineHeight);
  };

  return (
    <div className="stack">
      <dl className="health">
        <dt>File</dt>
        <dd>{current.path}</dd>
        <dt>Revision</dt>
        <dd>{current.fingerprint ?? "does not load"}</dd>
      </dl>
      <p id={hintId} className="muted">
        Saving writes a new file beside this one and points {connectorId} at it; the file itself is never changed
        {current.shared_with.length > 0 && ` (${current.shared_with.join(", ")} keep using it)`}.
      </p>
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      {conflict && (
        <div className="row">
          <Button onClick={() => void load().then(() => setMessage(null))}>Load the current mapping</Button>
        </div>
      )}
      <form className="form stack mapping-form" onSubmit={save}>
        <div className="field">
          <label htmlFor={editorId}>Mapping YAML</label>
          <textarea
            id={editorId}
            ref={editor}
            className="code-editor"
            rows={22}
            spellCheck={false}
            autoCapitalize="off"
            autoCorrect="off"
            aria-describedby={issues.length ? `${hintId} ${issuesId}` : hintId}
            aria-invalid={issues.length > 0}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </div>
        {issues.length > 0 && (
          <div id={issuesId} className="mapping-issues">
            <h3>{count(issues.length)}</h3>
            <ul aria-label="Mapping problems">
              {issues.map((issue) => (
                <li key={`${issue.line}:${issue.column}:${issue.path}:${issue.message}`}>
                  {issue.line > 0 ? (
                    <Button variant="link" small onClick={() => jump(issue)}>
                      Line {issue.line}
                      {issue.column > 0 && `, column ${issue.column}`}
                    </Button>
                  ) : null}{" "}
                  <span className="clash-text">{issueText(issue)}</span>
                </li>
              ))}
            </ul>
          </div>
        )}
        <div className="row">
          <Button onClick={() => void validate()} disabled={busy}>
            Validate
          </Button>
          <Button type="submit" variant="primary" disabled={busy || !changed}>
            Save
          </Button>
          <Button onClick={() => setText(current.text)} disabled={busy || !changed}>
            Undo changes
          </Button>
        </div>
      </form>
      <DryRunPanel connectorId={connectorId} text={text} entities={current.entities ?? []} />
    </div>
  );
}

function DryRunPanel({ connectorId, text, entities }: { connectorId: string; text: string; entities: string[] }) {
  const [entity, setEntity] = useState(entities.includes("seat_push") ? "seat_push" : (entities[0] ?? ""));
  const [payload, setPayload] = useState("");
  const [result, setResult] = useState<DryRun | null>(null);
  const [error, setError] = useState("");
  const payloadId = useId();

  const run = async () => {
    setError("");
    setResult(null);
    const { data, error: refused } = await api.POST("/v1/admin/connectors/{connector_id}/mapping/dry-run", {
      params: { path: { connector_id: connectorId } },
      body: { text, entity, payload },
    });
    if (data) setResult(data);
    else setError(problemOf(refused)?.detail ?? "The dry run failed.");
  };

  return (
    <details className="card">
      <summary>Dry run on a sample payload</summary>
      <div className="stack">
        <p className="muted">Maps a payload with the text in the editor, saved or not. Nothing is stored.</p>
        <Select
          label="Entity"
          value={entity}
          onChange={setEntity}
          options={entities.map((e) => ({ value: e, label: e }))}
        />
        <div className="field">
          <label htmlFor={payloadId}>Sample payload</label>
          <textarea
            id={payloadId}
            className="code-editor"
            rows={6}
            spellCheck={false}
            value={payload}
            onChange={(e) => setPayload(e.target.value)}
          />
        </div>
        <div className="row">
          <Button onClick={() => void run()} disabled={!entity || !payload.trim()}>
            Run
          </Button>
        </div>
        {error && <Alert kind="error">{error}</Alert>}
        {result && (
          <div className="stack" aria-label="Dry run result">
            <p role="status">
              {result.records.length} record(s) mapped, {result.dead_letters.length} dead letter(s).
            </p>
            {result.dead_letters.map((d, i) => (
              <p key={i} className="clash-text">
                Record {d.record_index ?? "?"}
                {d.field_path && `, field ${d.field_path}`}: {d.reason}
              </p>
            ))}
            {result.records.length > 0 && (
              <pre className="payload">{JSON.stringify(result.records, null, 2)}</pre>
            )}
          </div>
        )}
      </div>
    </details>
  );
}

const count = (n: number) => (n === 1 ? "1 problem" : `${n} problems`);
