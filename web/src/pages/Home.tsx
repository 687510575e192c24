import { useEffect, useMemo, useState } from "react";
import { Link } from "react-router";
import { api, type Schemas } from "../api/client";
import { rememberCity, rememberedCity } from "../city";
import { genreName, useI18n } from "../i18n";
import { Alert, Card, Loading, Select } from "../ui";

type Movie = Schemas["StorefrontMovie"];
type Catalog = Schemas["StorefrontMovies"];

function nextDays(count: number): string[] {
  const out: string[] = [];
  const day = new Date();
  for (let i = 0; i < count; i++) {
    out.push(new Date(day.getTime() + i * 86_400_000).toISOString().slice(0, 10));
  }
  return out;
}

export function Home() {
  const { t, locale, lang } = useI18n();
  const [city, setCity] = useState<string>(rememberedCity() ?? "");
  const [q, setQ] = useState("");
  const [query, setQuery] = useState("");
  const [language, setLanguage] = useState("");
  const [format, setFormat] = useState("");
  const [genre, setGenre] = useState("");
  const [date, setDate] = useState("");
  const [data, setData] = useState<Catalog | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const timer = setTimeout(() => setQuery(q), 250);
    return () => clearTimeout(timer);
  }, [q]);

  useEffect(() => {
    let live = true;
    api
      .GET("/v1/storefront/movies", {
        params: {
          query: {
            city: city || undefined,
            q: query || undefined,
            language: language || undefined,
            format: format || undefined,
            genre: genre || undefined,
            date: date || undefined,
          },
        },
      })
      .then(({ data: body, error: err }) => {
        if (!live) return;
        if (err) setError(err.detail ?? err.title);
        else if (body) {
          setError(null);
          setData(body);
          if (!city && body.cities.length) setCity(body.cities[0]);
        }
      });
    return () => {
      live = false;
    };
  }, [city, query, language, format, genre, date]);

  const days = useMemo(() => nextDays(7), []);
  const dayLabel = (d: string) =>
    new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short" }).format(
      new Date(`${d}T12:00:00Z`),
    );
  const now = data?.items.filter((m) => m.status === "now_showing") ?? [];
  const soon = data?.items.filter((m) => m.status === "coming_soon") ?? [];

  return (
    <div className="stack">
      <h1>{t("home.title", { city: city || "…" })}</h1>
      <section aria-label={t("home.filters")} className="card">
        <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fill, minmax(160px, 1fr))" }}>
          <Select
            label={t("nav.city")}
            value={city}
            onChange={(c) => {
              rememberCity(c);
              setCity(c);
            }}
            options={(data?.cities ?? (city ? [city] : [])).map((c) => ({ value: c, label: c }))}
          />
          <div className="field">
            <label htmlFor="movie-search">{t("home.search")}</label>
            <input
              id="movie-search"
              type="search"
              value={q}
              onChange={(e) => setQ(e.target.value)}
            />
          </div>
          <Select
            label={t("home.showLanguage")}
            value={language}
            onChange={setLanguage}
            options={[
              { value: "", label: t("home.allLanguages") },
              ...(data?.languages ?? []).map((l) => ({ value: l, label: languageName(l, locale) })),
            ]}
          />
          <Select
            label={t("home.format")}
            value={format}
            onChange={setFormat}
            options={[
              { value: "", label: t("home.allFormats") },
              ...(data?.formats ?? []).map((f) => ({ value: f, label: f })),
            ]}
          />
          <Select
            label={t("home.genre")}
            value={genre}
            onChange={setGenre}
            options={[
              { value: "", label: t("home.allGenres") },
              ...(data?.genres ?? []).map((g) => ({ value: g, label: genreName(g, lang) })),
            ]}
          />
          <Select
            label={t("home.date")}
            value={date}
            onChange={setDate}
            options={[
              { value: "", label: t("home.anyDate") },
              ...days.map((d) => ({ value: d, label: dayLabel(d) })),
            ]}
          />
        </div>
      </section>
      {error && <Alert kind="error">{t("common.error", { detail: error })}</Alert>}
      {!data && !error && <Loading label={t("common.loading")} />}
      {data && data.items.length === 0 && <p>{t("home.none")}</p>}
      {now.length > 0 && <MovieGrid title={t("home.nowShowing")} movies={now} />}
      {soon.length > 0 && <MovieGrid title={t("home.comingSoon")} movies={soon} />}
    </div>
  );
}

export function languageName(code: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}

function MovieGrid({ title, movies }: { title: string; movies: Movie[] }) {
  const { t, lang } = useI18n();
  return (
    <section aria-labelledby={`h-${title}`} className="stack">
      <h2 id={`h-${title}`}>{title}</h2>
      <ul className="grid" style={{ listStyle: "none", padding: 0, margin: 0 }}>
        {movies.map((m) => (
          <li key={m.id}>
            <Card className="movie-card">
              <Link to={`/movies/${m.id}`}>
                {m.poster_url ? (
                  <img className="poster" src={m.poster_url} alt="" loading="lazy" />
                ) : (
                  <div className="poster" aria-hidden="true">
                    {m.title}
                  </div>
                )}
                <strong lang={m.title_language ?? undefined}>{m.title}</strong>
                <span className="muted">
                  {[
                    m.rating,
                    t("movie.runtime", { minutes: m.runtime_minutes }),
                    m.genres.map((g) => genreName(g, lang)).join(", "),
                  ]
                    .filter(Boolean)
                    .join(" · ")}
                </span>
                <span className="row">
                  {m.formats.map((f) => (
                    <span key={f} className="tag">
                      {f}
                    </span>
                  ))}
                </span>
              </Link>
            </Card>
          </li>
        ))}
      </ul>
    </section>
  );
}
