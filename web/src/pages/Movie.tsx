import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { api, type Schemas } from "../api/client";
import { dayKey, formatDateTime, formatMoney } from "../api/money";
import { rememberedCity } from "../city";
import { genreName, useI18n } from "../i18n";
import { Alert, Card, Loading } from "../ui";
import { languageName } from "./Home";

type Show = Schemas["ShowOut"];
type Theatre = Schemas["TheatreOut"];

export default function MoviePage() {
  const { movieId = "" } = useParams();
  const { t, locale, lang } = useI18n();
  const city = rememberedCity() ?? undefined;
  const [movie, setMovie] = useState<Schemas["StorefrontMovie"] | null>(null);
  const [shows, setShows] = useState<Show[] | null>(null);
  const [theatres, setTheatres] = useState<Record<string, Theatre>>({});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void (async () => {
      const [m, s, th] = await Promise.all([
        api.GET("/v1/storefront/movies/{movie_id}", {
          params: { path: { movie_id: movieId }, query: { city } },
        }),
        api.GET("/v1/shows", { params: { query: { movie_id: movieId, city, limit: 200 } } }),
        api.GET("/v1/theatres", { params: { query: { city, limit: 200 } } }),
      ]);
      if (m.error) return setError(m.error.detail ?? m.error.title);
      setMovie(m.data ?? null);
      setShows(s.data?.items ?? []);
      setTheatres(Object.fromEntries((th.data?.items ?? []).map((x) => [x.id, x])));
    })();
  }, [movieId, city, locale]);

  if (error) return <Alert kind="error">{t("common.error", { detail: error })}</Alert>;
  if (!movie || !shows) return <Loading label={t("common.loading")} />;

  // Theatre -> day (in the theatre's own time zone) -> shows.
  const grouped = new Map<string, Map<string, Show[]>>();
  for (const show of shows) {
    const tz = theatres[show.theatre_id]?.timezone ?? "UTC";
    const byDay = grouped.get(show.theatre_id) ?? new Map<string, Show[]>();
    const key = dayKey(show.start, tz);
    byDay.set(key, [...(byDay.get(key) ?? []), show]);
    grouped.set(show.theatre_id, byDay);
  }

  return (
    <div className="stack">
      <div className="row" style={{ alignItems: "flex-start", gap: 24 }}>
        {movie.poster_url ? (
          <img className="poster" style={{ width: 160 }} src={movie.poster_url} alt="" />
        ) : (
          <div className="poster" style={{ width: 160 }} aria-hidden="true">
            {movie.title}
          </div>
        )}
        <div className="stack" style={{ flex: "1 1 280px" }}>
          <h1 lang={movie.title_language ?? undefined}>{movie.title}</h1>
          <p className="muted">
            {[
              movie.rating,
              t("movie.runtime", { minutes: movie.runtime_minutes }),
              movie.genres.map((g) => genreName(g, lang)).join(", "),
            ]
              .filter(Boolean)
              .join(" · ")}
          </p>
          {movie.synopsis && <p>{movie.synopsis}</p>}
          <p>
            {t("movie.languages")}:{" "}
            {[...new Set(shows.map((s) => s.language))].map((l) => languageName(l, locale)).join(", ") ||
              languageName(movie.original_language, locale)}
          </p>
        </div>
      </div>
      <h2>{t("movie.showtimes")}</h2>
      {shows.length === 0 && <p>{t("movie.noShows")}</p>}
      <div className="showtimes">
        {[...grouped.entries()].map(([theatreId, byDay]) => {
          const theatre = theatres[theatreId];
          const tz = theatre?.timezone ?? "UTC";
          return (
            <Card key={theatreId}>
              <h3>{theatre?.name ?? theatreId}</h3>
              {theatre?.address && <p className="muted">{theatre.address}</p>}
              {[...byDay.entries()].map(([day, list]) => (
                <div key={day} className="stack" style={{ marginBlockEnd: 12 }} data-testid="show-day">
                  <h4 style={{ margin: 0 }}>
                    {formatDateTime(list[0].start, tz, locale, {
                      weekday: "long",
                      day: "numeric",
                      month: "long",
                    })}
                  </h4>
                  <div className="row">
                    {list.map((show) => (
                      <ShowButton key={show.id} show={show} tz={tz} />
                    ))}
                  </div>
                </div>
              ))}
            </Card>
          );
        })}
      </div>
    </div>
  );
}

export function ShowButton({ show, tz }: { show: Show; tz: string }) {
  const { t, locale } = useI18n();
  const amounts = show.prices.map((p) => p.price.amount);
  const currency = show.prices[0]?.price.currency;
  const range =
    currency && amounts.length
      ? [Math.min(...amounts), Math.max(...amounts)]
          .filter((v, i, a) => a.indexOf(v) === i)
          .map((amount) => formatMoney({ amount, currency }, locale))
          .join("–")
      : "";
  const time = formatDateTime(show.start, tz, locale, { timeStyle: "short" });
  const language = languageName(show.language, locale);
  // Shows at the same time differ by screen, format or language: every button says all three,
  // so none reads the same as its neighbour (seen or heard).
  const screen = show.screen_name ?? show.screen_id;
  return (
    <Link
      className="btn time-btn"
      to={`/shows/${show.id}`}
      title={t("movie.showAt", {
        time,
        screen,
        format: [show.format, ...(show.experiences ?? [])].join(" "),
        language,
      })}
      data-testid="show-button"
    >
      <span>
        <bdi>{time}</bdi>
      </span>
      <small className="screen-name">
        <bdi>{screen}</bdi>
      </small>
      <small>
        <bdi>{[show.format, ...(show.experiences ?? [])].join(" ")}</bdi> · <bdi>{language}</bdi>
      </small>
      {show.subtitle_language && (
        <small>
          <bdi>{t("movie.subtitles", { language: languageName(show.subtitle_language, locale) })}</bdi>
        </small>
      )}
      {range && (
        <small>
          <bdi>{range}</bdi>
        </small>
      )}
    </Link>
  );
}
