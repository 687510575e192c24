// Partners and onboarding: every partner; add a partner and its first staff
// account (the person then signs in and changes the password at /forgot-password).
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, problemOf, type Schemas } from "../api/client";
import { Alert, Card, Field, Loading } from "../ui";

export function Partners() {
  const [partners, setPartners] = useState<Schemas["PartnerOut"][] | null>(null);
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const load = useCallback(async () => {
    const { data } = await api.GET("/v1/admin/partners");
    setPartners(Array.isArray(data) ? data : (data?.items ?? []));
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const onboard = async (e: FormEvent) => {
    e.preventDefault();
    const created = await api.POST("/v1/admin/partners", { body: { id, name } });
    if (created.error) {
      setMessage({ kind: "error", text: problemOf(created.error)?.detail ?? "Partner not created." });
      return;
    }
    const user = await api.POST("/v1/admin/users", {
      body: { email, password, role: "partner", partner_id: id, name: `${name} staff` } as never,
    });
    setMessage(
      user.error
        ? { kind: "error", text: `Partner created; staff account refused: ${problemOf(user.error)?.detail}` }
        : { kind: "ok", text: `${name} onboarded; ${email} can sign in.` },
    );
    await load();
  };

  return (
    <div className="stack">
      <h1>Partners</h1>
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      <Card>
        <h2>Onboard a partner</h2>
        <form className="filters" onSubmit={onboard} aria-label="Onboard a partner">
          <Field label="Partner id" value={id} onChange={(e) => setId(e.target.value)} required pattern="[a-z0-9][a-z0-9_-]*" />
          <Field label="Partner name" value={name} onChange={(e) => setName(e.target.value)} required />
          <Field label="Staff e-mail" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          <Field label="First password" type="password" minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} required />
          <button type="submit" className="btn primary">
            Onboard
          </button>
        </form>
      </Card>
      {!partners ? (
        <Loading label="Loading partners…" />
      ) : (
        <div className="grid">
          {partners.map((p) => (
            <Card key={p.id}>
              <h2 className="path">{p.name}</h2>
              <p className="muted path">{p.id}</p>
              <p>Since {new Date(p.created_at).toLocaleDateString()}</p>
            </Card>
          ))}
        </div>
      )}
    </div>
  );
}
