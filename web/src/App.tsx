import { Link, Outlet, useNavigate } from "react-router";
import { LANGUAGES, useI18n, type Language } from "./i18n";
import { useSession } from "./session";

export function Shell() {
  const { t, lang, setLang } = useI18n();
  const { user, signOut } = useSession();
  const navigate = useNavigate();
  return (
    <>
      <a href="#main" className="skip">
        {t("nav.skip")}
      </a>
      <header className="shell-header">
        <div className="bar">
          <Link to="/" className="brand">
            {t("app.name")}
          </Link>
          <nav aria-label="Main">
            <Link to="/">{t("nav.home")}</Link>
            {user && <Link to="/bookings">{t("nav.bookings")}</Link>}
            {user?.role === "partner" && <Link to="/partner">Partner portal</Link>}
            {user?.role === "admin" && <Link to="/admin">Admin panel</Link>}
            <label htmlFor="ui-language">{t("nav.language")}</label>
            <select
              id="ui-language"
              value={lang}
              onChange={(e) => setLang(e.target.value as Language)}
            >
                {LANGUAGES.map((l) => (
                  <option key={l.code} value={l.code} lang={l.code}>
                    {l.name}
                  </option>
                ))}
            </select>
            {user ? (
              <button
                type="button"
                className="btn link"
                style={{ color: "#fff" }}
                onClick={async () => {
                  await signOut();
                  navigate("/");
                }}
              >
                {t("nav.signOut")}
              </button>
            ) : (
              <Link to="/sign-in">{t("nav.signIn")}</Link>
            )}
          </nav>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
