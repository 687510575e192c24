import { useState } from "react";
import type { FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api, problemOf } from "../api/client";
import { useI18n } from "../i18n";
import { useSession } from "../session";
import { Alert, Field } from "../ui";

function safeNext(next: string | null): string {
  // Only paths of this app: never an absolute URL (no open redirect).
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function SignIn() {
  const { t } = useI18n();
  const { setUser } = useSession();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await api.GET("/v1/session"); // makes sure the CSRF cookie exists
    const { data, error: err } = await api.POST("/v1/session/sign-in", { body: { email, password } });
    if (data?.user) {
      setUser(data.user);
      navigate(safeNext(search.get("next")));
    } else setError(problemOf(err)?.detail ?? "");
  };
  return (
    <form className="stack form" onSubmit={submit}>
      <h1>{t("auth.signIn")}</h1>
      {search.get("reset") && <Alert kind="ok">{t("auth.resetDone")}</Alert>}
      {search.get("next")?.startsWith("/shows/") && <Alert kind="info">{t("auth.seatsKept")}</Alert>}
      <Field label={t("auth.email")} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
      <Field label={t("auth.password")} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      {error && <Alert kind="error">{error}</Alert>}
      <button type="submit" className="btn primary">
        {t("auth.signIn")}
      </button>
      <Link to="/forgot-password">{t("auth.forgot")}</Link>
      <Link to={`/sign-up${search.get("next") ? `?next=${encodeURIComponent(search.get("next")!)}` : ""}`}>
        {t("auth.needAccount")}
      </Link>
    </form>
  );
}

export function SignUp() {
  const { t, lang } = useI18n();
  const [search] = useSearchParams();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const next = search.get("next");
  const signInLink = `/sign-in${next ? `?next=${encodeURIComponent(next)}` : ""}`;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await api.GET("/v1/session");
    const { data, error: err } = await api.POST("/v1/session/sign-up", {
      body: { email, password, name: name || null, language: lang },
    });
    // The answer is the same whether or not the address had an account: the mail says which.
    if (data) setSent(true);
    else setError(problemOf(err)?.detail ?? "");
  };
  if (sent) {
    return (
      <div className="stack form">
        <h1>{t("auth.signUp")}</h1>
        <Alert kind="ok">{t("auth.checkMail")}</Alert>
        <Link to={signInLink}>{t("auth.signIn")}</Link>
      </div>
    );
  }
  return (
    <form className="stack form" onSubmit={submit}>
      <h1>{t("auth.signUp")}</h1>
      <Field label={t("auth.name")} autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
      <Field label={t("auth.email")} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
      <Field label={t("auth.password")} type="password" autoComplete="new-password" minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} required />
      {error && <Alert kind="error">{error}</Alert>}
      <button type="submit" className="btn primary">
        {t("auth.signUp")}
      </button>
      <Link to={signInLink}>{t("auth.haveAccount")}</Link>
    </form>
  );
}

export function ForgotPassword() {
  const { t } = useI18n();
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await api.GET("/v1/session");
    await api.POST("/v1/session/password-reset", { body: { email } });
    setSent(true);
  };
  return (
    <form className="stack form" onSubmit={submit}>
      <h1>{t("auth.reset")}</h1>
      <Field label={t("auth.email")} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
      {sent && <Alert kind="ok">{t("auth.resetSent")}</Alert>}
      <button type="submit" className="btn primary">
        {t("auth.reset")}
      </button>
    </form>
  );
}

export function ResetPassword() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await api.GET("/v1/session");
    const { error: err } = await api.POST("/v1/session/password-reset/confirm", {
      body: { token: search.get("token") ?? "", password },
    });
    if (err) setError(problemOf(err)?.detail ?? "");
    else navigate("/sign-in?reset=1");
  };
  return (
    <form className="stack form" onSubmit={submit}>
      <h1>{t("auth.reset")}</h1>
      <Field label={t("auth.newPassword")} type="password" autoComplete="new-password" minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} required />
      {error && <Alert kind="error">{error}</Alert>}
      <button type="submit" className="btn primary">
        {t("auth.reset")}
      </button>
    </form>
  );
}
