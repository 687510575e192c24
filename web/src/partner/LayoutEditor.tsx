// The seat layout editor: draw a screen on a grid of areas, rows and columns; seats, aisles and
// gaps; categories with colours; wheelchair, companion and blocked seats; sofa groups. Import
// from CSV, check with the API (problems drawn on their seat), preview, save a new version (with
// the categories' colours, which the customer's seat map shows too).
import { Fragment, useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { api, problemOf } from "../api/client";
import { Alert, Button, Card, Field } from "../ui";
import { inkOn } from "../ui/contrast";
import "./portal.css";
import {
  fromLayout,
  label,
  newArea,
  nextAreaNumber,
  parseCsv,
  resize,
  toLayout,
  type AreaDraft,
  type LayoutJson,
} from "./layoutModel";

type Category = { name: string; color: string };
type Tool = "seat" | "erase" | "wheelchair" | "companion" | "blocked" | "group";
type Problem = { seat_id: string | null; code: string; message: string };
type Check = { valid: boolean; seat_count: number; problems: Problem[] };

const PALETTE = ["#cfe3ff", "#ffe1a8", "#d7f5d0", "#f6d0f0", "#e0d7ff", "#ffd6cc"];
const TOOLS: { value: Tool; label: string }[] = [
  { value: "seat", label: "Seat" },
  { value: "erase", label: "Aisle / gap" },
  { value: "wheelchair", label: "Wheelchair" },
  { value: "companion", label: "Companion" },
  { value: "blocked", label: "Blocked" },
  { value: "group", label: "Select for sofa" },
];

export default function LayoutEditor() {
  const { screenId = "" } = useParams();
  const [areas, setAreas] = useState<AreaDraft[]>([newArea(0, "Stalls", 4, 10)]);
  const [categories, setCategories] = useState<Category[]>([{ name: "standard", color: PALETTE[0] }]);
  const [paint, setPaint] = useState("standard");
  const [tool, setTool] = useState<Tool>("seat");
  const [rtl, setRtl] = useState(false);
  const [skipIO, setSkipIO] = useState(true);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [check, setCheck] = useState<Check | null>(null);
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [csv, setCsv] = useState("");
  const [newCategory, setNewCategory] = useState("");
  const [screen, setScreen] = useState<{ name: string; theatre_name: string } | null>(null);
  // The theatre's saved category colours (they are the theatre's, shared by its screens).
  const [known, setKnown] = useState<Record<string, string>>({});
  const colourFor = (name: string, i: number, saved: Record<string, string> = known) =>
    saved[name] ?? PALETTE[i % PALETTE.length];

  useEffect(() => {
    const path = { params: { path: { screen_id: screenId } } };
    // The screen first: its theatre's colours paint the layout's categories, or a new one's.
    void (async () => {
      const { data: detail } = await api.GET("/v1/partner/screens/{screen_id}", path);
      setScreen(detail ?? null);
      const saved = detail?.category_colours ?? {};
      setKnown(saved);
      const { data } = await api.GET("/v1/partner/screens/{screen_id}/layout", path);
      if (!data) {
        setCategories((all) => all.map((c, i) => ({ ...c, color: colourFor(c.name, i, saved) })));
        return;
      }
      setAreas(fromLayout(data as unknown as LayoutJson));
      const colours = { ...saved, ...data.category_colours };
      setCategories(data.categories.map((name, i) => ({ name, color: colourFor(name, i, colours) })));
      setPaint(data.categories[0] ?? "standard");
    })();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- colourFor reads only its arguments here
  }, [screenId]);

  const categoryNames = useMemo(() => categories.map((c) => c.name), [categories]);
  const layout = useMemo(
    () => toLayout(areas, categoryNames, { rtl, skipIO }),
    [areas, categoryNames, rtl, skipIO],
  );
  const { ids, labels, names } = useMemo(() => label(areas, { rtl, skipIO }), [areas, rtl, skipIO]);
  const problemsBySeat = useMemo(() => {
    const out = new Map<string, Problem[]>();
    for (const p of check?.problems ?? []) if (p.seat_id) out.set(p.seat_id, [...(out.get(p.seat_id) ?? []), p]);
    return out;
  }, [check]);
  const colour = (name: string) => categories.find((c) => c.name === name)?.color ?? "#eeeeee";

  const update = (a: number, fn: (area: AreaDraft) => AreaDraft) => {
    setAreas((all) => all.map((area, i) => (i === a ? fn(area) : area)));
    setCheck(null);
  };

  const clickCell = (a: number, r: number, c: number) => {
    const key = `${a}:${r}:${c}`;
    if (tool === "group") {
      if (!areas[a].cells[r][c]) return;
      const next = new Set(picked);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      setPicked(next);
      return;
    }
    update(a, (area) => {
      const cells = area.cells.map((row) => [...row]);
      const cell = cells[r][c];
      // A seat repainted keeps its id, number and flags; only a new seat is numbered afresh.
      if (tool === "seat") cells[r][c] = cell ? { ...cell, category: paint } : { category: paint, flags: [] };
      else if (tool === "erase") cells[r][c] = null;
      else if (cell) {
        const flags = cell.flags.includes(tool) ? cell.flags.filter((f) => f !== tool) : [...cell.flags, tool];
        cells[r][c] = { ...cell, flags };
      }
      return { ...area, cells };
    });
  };

  const makeSofa = () => {
    const group = `sofa${Date.now().toString(36)}`;
    setAreas((all) =>
      all.map((area, a) => ({
        ...area,
        cells: area.cells.map((row, r) =>
          row.map((cell, c) => (cell && picked.has(`${a}:${r}:${c}`) ? { ...cell, group } : cell)),
        ),
      })),
    );
    setPicked(new Set());
    setCheck(null);
  };

  const runCheck = async () => {
    const { data, error } = await (api.POST as (p: string, o: object) => Promise<{ data?: unknown; error?: unknown }>)(
      "/v1/partner/screens/{screen_id}/layout/check",
      { params: { path: { screen_id: screenId } }, body: layout },
    );
    if (data) setCheck(data as Check);
    else setMessage({ kind: "error", text: problemOf(error)?.detail ?? "The check failed." });
    return data as Check | undefined;
  };

  const save = async () => {
    const checked = await runCheck();
    if (!checked?.valid) {
      setMessage({ kind: "error", text: "Fix the problems marked on the seats first." });
      return;
    }
    // Colours go with the layout: every category's, so the saved layout reads back as drawn.
    const category_colours = Object.fromEntries(categories.map((c) => [c.name, c.color]));
    const { data, error } = await api.PUT("/v1/partner/screens/{screen_id}/layout", {
      params: { path: { screen_id: screenId } },
      body: { ...layout, category_colours } as never,
    });
    setMessage(
      data
        ? { kind: "ok", text: `Saved version ${data.version} with ${data.seat_count} seats.` }
        : { kind: "error", text: problemOf(error)?.detail ?? "Saving failed." },
    );
  };

  return (
    <div className="stack">
      <h1>Seat layout: {screen ? screen.name : screenId}</h1>
      {screen && <p className="muted">{screen.theatre_name}</p>}
      <p>
        <Link to="/partner/theatres">Back to theatres</Link>
      </p>
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      <Card>
        <h2>Tools</h2>
        <div className="row" role="radiogroup" aria-label="Tool">
          {TOOLS.map((t) => (
            <label key={t.value} className="tag tool">
              <input type="radio" name="tool" checked={tool === t.value} onChange={() => setTool(t.value)} /> {t.label}
            </label>
          ))}
        </div>
        <div className="row">
          <Button small disabled={picked.size < 2} onClick={makeSofa}>
            Make sofa group ({picked.size})
          </Button>
          <label className="row">
            <input type="checkbox" checked={rtl} onChange={(e) => setRtl(e.target.checked)} /> Number new seats right to left
          </label>
          <label className="row">
            <input type="checkbox" checked={skipIO} onChange={(e) => setSkipIO(e.target.checked)} /> Skip I and O in new row
            names
          </label>
        </div>
        <h3>Categories</h3>
        <div className="row" role="radiogroup" aria-label="Category to paint">
          {categories.map((c, i) => (
            <span key={c.name} className="row tag">
              <label>
                <input type="radio" name="paint" checked={paint === c.name} onChange={() => setPaint(c.name)} /> {c.name}
              </label>
              <input
                type="color"
                aria-label={`Colour of ${c.name}`}
                value={c.color}
                onChange={(e) =>
                  setCategories(categories.map((x, j) => (j === i ? { ...x, color: e.target.value } : x)))
                }
              />
            </span>
          ))}
          <Field label="New category" value={newCategory} onChange={(e) => setNewCategory(e.target.value)} />
          <Button
            small
            disabled={!newCategory.trim() || categories.some((c) => c.name === newCategory.trim())}
            onClick={() => {
              const name = newCategory.trim();
              setCategories([...categories, { name, color: colourFor(name, categories.length) }]);
              setPaint(name);
              setNewCategory("");
            }}
          >
            Add category
          </Button>
        </div>
      </Card>

      {areas.map((area, a) => (
        <Card key={a}>
          <div className="row">
            <Field label={`Area ${a + 1} name`} value={area.name} onChange={(e) => update(a, (x) => ({ ...x, name: e.target.value }))} />
            <Field
              label={`Area ${a + 1} rows`}
              type="number"
              min={1}
              max={40}
              value={area.rows}
              onChange={(e) => update(a, (x) => resize(x, Math.max(1, Number(e.target.value) || 1), x.cols))}
            />
            <Field
              label={`Area ${a + 1} columns`}
              type="number"
              min={1}
              max={60}
              value={area.cols}
              onChange={(e) => update(a, (x) => resize(x, x.rows, Math.max(1, Number(e.target.value) || 1)))}
            />
            <Button
              small
              onClick={() =>
                update(a, (x) => ({
                  ...x,
                  cells: x.cells.map((row) => row.map((cell) => (cell ? { ...cell, category: paint } : { category: paint, flags: [] }))),
                }))
              }
            >
              Fill area with seats
            </Button>
            {areas.length > 1 && (
              <Button small variant="danger" onClick={() => setAreas(areas.filter((_, i) => i !== a))}>
                Remove area
              </Button>
            )}
          </div>
          <div className="layout-scroll">
            <div className="layout-grid" style={{ gridTemplateColumns: `3.5rem repeat(${area.cols}, 28px)` }}>
              {area.cells.map((row, r) => (
                <Fragment key={r}>
                  <input
                    className="row-name-input"
                    aria-label={`Area ${a + 1} row ${r + 1} name`}
                    // The row's own name, or the one it would get: a theatre that skips letters
                    // or names rows its own way types it here.
                    placeholder={names.get(`${a}:${r}`) ?? ""}
                    value={area.rowMeta[r]?.name ?? ""}
                    onChange={(e) =>
                      update(a, (x) => ({
                        ...x,
                        rowMeta: x.rowMeta.map((m, i) => (i === r ? { ...m, name: e.target.value } : m)),
                      }))
                    }
                  />
                  {row.map((cell, c) => {
                    const key = `${a}:${r}:${c}`;
                    const id = ids.get(key);
                    const issues = id ? problemsBySeat.get(id) : undefined;
                    const text = cell
                      ? `${labels.get(key)}: ${cell.category}${cell.flags.length ? `, ${cell.flags.join(", ")}` : ""}${cell.group ? `, sofa ${cell.group}` : ""}`
                      : `row ${r + 1} column ${c + 1}: aisle`;
                    return (
                      <button
                        key={key}
                        type="button"
                        className={`cell${cell ? " seat" : ""}${issues ? " invalid" : ""}${picked.has(key) ? " picked" : ""}${cell?.group ? " grouped" : ""}`}
                        style={cell ? { background: colour(cell.category), color: inkOn(colour(cell.category)) } : undefined}
                        aria-label={`Area ${a + 1}, ${text}${issues ? `. Problem: ${issues.map((p) => p.message).join("; ")}` : ""}`}
                        aria-pressed={tool === "group" ? picked.has(key) : undefined}
                        aria-invalid={issues ? true : undefined}
                        title={issues?.map((p) => p.message).join("; ") ?? text}
                        data-seat={id}
                        onClick={() => clickCell(a, r, c)}
                      >
                        {cell?.flags.includes("wheelchair") ? "♿" : cell?.flags.includes("companion") ? "+" : cell?.flags.includes("blocked") ? "×" : ""}
                      </button>
                    );
                  })}
                </Fragment>
              ))}
            </div>
          </div>
        </Card>
      ))}
      <div className="row">
        <Button onClick={() => setAreas([...areas, newArea(nextAreaNumber(areas), `Area ${areas.length + 1}`, 3, 10)])}>
          Add area
        </Button>
        <Button onClick={runCheck}>Check layout</Button>
        <Button variant="primary" onClick={save}>
          Save layout
        </Button>
      </div>
      {check && (
        <Card>
          <h2>Check</h2>
          {check.valid ? (
            <Alert kind="ok">No problems: {check.seat_count} seats.</Alert>
          ) : (
            <ul aria-label="Problems">
              {check.problems.map((p, i) => (
                <li key={i}>
                  <strong>{p.seat_id ?? "layout"}</strong>: {p.message}
                </li>
              ))}
            </ul>
          )}
        </Card>
      )}
      <Card>
        <h2>Import from CSV</h2>
        <p className="muted">One seat per line: area,row,column,category,flags,group (flags separated by |).</p>
        <label htmlFor="layout-csv">CSV</label>
        <textarea id="layout-csv" rows={5} value={csv} onChange={(e) => setCsv(e.target.value)} />
        <Button
          small
          disabled={!csv.trim()}
          onClick={() => {
            const parsed = parseCsv(csv);
            if (!parsed.areas.length) {
              setMessage({ kind: "error", text: "No seats found in the CSV." });
              return;
            }
            setAreas(parsed.areas);
            setCategories(parsed.categories.map((name, i) => ({ name, color: colourFor(name, i) })));
            setPaint(parsed.categories[0]);
            setCheck(null);
          }}
        >
          Import
        </Button>
      </Card>
      <Card>
        <h2>Preview</h2>
        <div className="screen-bar" aria-hidden="true">
          SCREEN
        </div>
        <div className="layout-scroll" tabIndex={0} role="region" aria-label="Layout preview">
          {layout.areas.map((area) => (
            <section key={area.number} aria-label={`Preview of ${area.name}`}>
              <h3>{area.name}</h3>
              {area.rows.map((row) => (
                <div key={row.index} className="preview-row">
                  <span className="row-name">{row.name}</span>
                  {row.seats.map((s) => (
                    <span
                      key={s.id}
                      className="preview-seat"
                      style={{ background: colour(s.category), color: inkOn(colour(s.category)) }}
                      title={s.label}
                    >
                      {s.flags.includes("wheelchair") ? "♿" : s.label}
                    </span>
                  ))}
                </div>
              ))}
            </section>
          ))}
        </div>
      </Card>
    </div>
  );
}
