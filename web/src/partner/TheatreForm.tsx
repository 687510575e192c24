// Create or edit a theatre: address, time zone, language and the sales rules (hold time, seats
// per hold, orphan seats, cancellation cut-off and fee); add screens to it.
import { useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, problemOf } from "../api/client";
import { Alert, Card, Field } from "../ui";

type Rules = {
  max_seats_per_hold: number;
  hold_ttl_seconds: number;
  no_orphan_seats: boolean;
  companion_requires_wheelchair: boolean;
  cancellation: { cutoff_minutes: number; fee_percent: number; fee_fixed?: unknown };
};
type Theatre = {
  id: string;
  name: string;
  city: string;
  country: string;
  timezone: string;
  currency: string;
  default_language: string;
  business_day_cutover_hour: number;
  address: string | null;
  rules: Rules;
};

const NEW: Theatre = {
  id: "",
  name: "",
  city: "",
  country: "IN",
  timezone: "Asia/Kolkata",
  currency: "INR",
  default_language: "en",
  business_day_cutover_hour: 4,
  address: "",
  rules: {
    max_seats_per_hold: 10,
    hold_ttl_seconds: 480,
    no_orphan_seats: false,
    companion_requires_wheelchair: true,
    cancellation: { cutoff_minutes: 120, fee_percent: 0 },
  },
};

type Loose = (path: string, init?: object) => Promise<{ data?: unknown; error?: unknown }>;

export default function TheatreForm() {
  const { theatreId } = useParams();
  const navigate = useNavigate();
  const [t, setT] = useState<Theatre>(NEW);
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [screenId, setScreenId] = useState("");
  const [screenName, setScreenName] = useState("");

  useEffect(() => {
    if (!theatreId) return;
    (api.GET as unknown as Loose)(`/v1/partner/theatres/${theatreId}/settings`).then(({ data }) => {
      if (data) setT(data as Theatre);
      else setMessage({ kind: "error", text: "This theatre was not found." });
    });
  }, [theatreId]);

  const set = <K extends keyof Theatre>(k: K, v: Theatre[K]) => setT({ ...t, [k]: v });
  const rule = <K extends keyof Rules>(k: K, v: Rules[K]) => setT({ ...t, rules: { ...t.rules, [k]: v } });

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const body = { ...t, address: t.address || null };
    const { error } = theatreId
      ? await api.PUT("/v1/partner/theatres/{theatre_id}", { params: { path: { theatre_id: theatreId } }, body: body as never })
      : await api.POST("/v1/partner/theatres", { body: body as never });
    if (error) setMessage({ kind: "error", text: problemOf(error)?.detail ?? "Not saved." });
    else if (!theatreId) navigate(`/partner/theatres/${t.id}/edit`);
    else setMessage({ kind: "ok", text: "Saved." });
  };

  const addScreen = async (e: FormEvent) => {
    e.preventDefault();
    const { error } = await api.POST("/v1/partner/theatres/{theatre_id}/screens", {
      params: { path: { theatre_id: theatreId! } },
      body: { id: screenId, name: screenName, formats: ["2D"] } as never,
    });
    setMessage(error ? { kind: "error", text: problemOf(error)?.detail ?? "Not added." } : { kind: "ok", text: `Screen ${screenName} added.` });
  };

  return (
    <div className="stack">
      <h1>{theatreId ? `Theatre: ${t.name}` : "New theatre"}</h1>
      <p>
        <Link to="/partner/theatres">Back to theatres</Link>
      </p>
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      <form className="stack" onSubmit={save} aria-label="Theatre">
        <Card>
          <h2>Place</h2>
          <div className="grid">
            <Field label="Id" value={t.id} disabled={!!theatreId} onChange={(e) => set("id", e.target.value)} required />
            <Field label="Name" value={t.name} onChange={(e) => set("name", e.target.value)} required />
            <Field label="City" value={t.city} onChange={(e) => set("city", e.target.value)} required />
            <Field label="Country" value={t.country} maxLength={2} onChange={(e) => set("country", e.target.value.toUpperCase())} required />
            <Field label="Time zone" value={t.timezone} onChange={(e) => set("timezone", e.target.value)} required />
            <Field label="Currency" value={t.currency} disabled={!!theatreId} maxLength={3} onChange={(e) => set("currency", e.target.value.toUpperCase())} required />
            <Field label="Language" value={t.default_language} onChange={(e) => set("default_language", e.target.value)} />
            <Field label="Address" value={t.address ?? ""} onChange={(e) => set("address", e.target.value)} />
          </div>
        </Card>
        <Card>
          <h2>Sales rules</h2>
          <div className="grid">
            <Field label="Hold time (seconds)" type="number" min={60} max={3600} value={t.rules.hold_ttl_seconds} onChange={(e) => rule("hold_ttl_seconds", Number(e.target.value))} />
            <Field label="Seats per hold" type="number" min={1} max={50} value={t.rules.max_seats_per_hold} onChange={(e) => rule("max_seats_per_hold", Number(e.target.value))} />
            <Field
              label="Cancellation cut-off (minutes before the show)"
              type="number"
              min={0}
              value={t.rules.cancellation.cutoff_minutes}
              onChange={(e) => rule("cancellation", { ...t.rules.cancellation, cutoff_minutes: Number(e.target.value) })}
            />
            <Field
              label="Cancellation fee (%)"
              type="number"
              min={0}
              max={100}
              value={t.rules.cancellation.fee_percent}
              onChange={(e) => rule("cancellation", { ...t.rules.cancellation, fee_percent: Number(e.target.value) })}
            />
          </div>
          <label className="row">
            <input type="checkbox" checked={t.rules.no_orphan_seats} onChange={(e) => rule("no_orphan_seats", e.target.checked)} /> Refuse holds that leave a single empty seat
          </label>
          <label className="row">
            <input
              type="checkbox"
              checked={t.rules.companion_requires_wheelchair}
              onChange={(e) => rule("companion_requires_wheelchair", e.target.checked)}
            />{" "}
            Companion seats only with a wheelchair space
          </label>
        </Card>
        <button type="submit" className="btn primary">
          Save theatre
        </button>
      </form>
      {theatreId && (
        <Card>
          <h2>Add a screen</h2>
          <form className="filters" onSubmit={addScreen} aria-label="New screen">
            <Field label="Screen id" value={screenId} onChange={(e) => setScreenId(e.target.value)} required />
            <Field label="Screen name" value={screenName} onChange={(e) => setScreenName(e.target.value)} required />
            <button type="submit" className="btn">
              Add screen
            </button>
          </form>
        </Card>
      )}
    </div>
  );
}
