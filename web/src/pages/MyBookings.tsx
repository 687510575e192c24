import { useEffect, useState } from "react";
import { Link, Navigate } from "react-router";
import { api, type Schemas } from "../api/client";
import { formatDateTime, formatMoney } from "../api/money";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { useSession } from "../session";
import { Loading } from "../ui";

type Booking = Schemas["BookingOut"];

export default function MyBookings() {
  const { t, locale } = useI18n();
  const { user, ready } = useSession();
  const [items, setItems] = useState<Booking[] | null>(null);
  useEffect(() => {
    if (!user) return;
    void api.GET("/v1/bookings", { params: { query: { limit: 50 } } }).then(({ data }) => {
      setItems(data?.items ?? []);
    });
  }, [user, locale]);
  if (ready && !user) return <Navigate to="/sign-in?next=/bookings" replace />;
  if (!items) return <Loading label={t("common.loading")} />;
  return (
    <div className="stack">
      <h1>{t("nav.bookings")}</h1>
      {items.length === 0 && <p>{t("book.none")}</p>}
      {items.length > 0 && (
        // Cards, not a table: a phone shows every booking without scrolling sideways.
        <ul className="booking-list">
          {items.map((b) => (
            <BookingCard key={b.id} booking={b} />
          ))}
        </ul>
      )}
    </div>
  );
}

function BookingCard({ booking: b }: { booking: Booking }) {
  const { t, locale } = useI18n();
  const show = b.show;
  const title = show?.movie_title ?? b.code;
  return (
    <li className="card booking-card" data-testid="booking-card">
      <div className="booking-head">
        <h2 lang={show?.title_language ?? undefined}>{title}</h2>
        <span className="tag" data-testid="booking-card-status">
          {t(`book.status.${b.status}` as MessageKey) || b.status}
        </span>
      </div>
      <dl className="booking-facts">
        {show && (
          <>
            <div>
              <dt>{t("book.when")}</dt>
              <dd>
                <bdi>
                  <time dateTime={show.local_start}>
                    {formatDateTime(show.start, show.timezone, locale, {
                      weekday: "short",
                      day: "numeric",
                      month: "short",
                      year: "numeric",
                      hour: "numeric",
                      minute: "2-digit",
                    })}
                  </time>
                </bdi>
              </dd>
            </div>
            <div>
              <dt>{t("book.theatre")}</dt>
              <dd>
                <bdi>{show.theatre_name}</bdi>
                {show.screen_name && (
                  <>
                    {" · "}
                    <bdi>{show.screen_name}</bdi>
                  </>
                )}
              </dd>
            </div>
          </>
        )}
        <div>
          <dt>{t("book.seats")}</dt>
          <dd>
            <bdi>{b.tickets.map((x) => x.label).join(", ")}</bdi>
          </dd>
        </div>
        <div>
          <dt>{t("pay.total")}</dt>
          <dd>{formatMoney(b.total, locale)}</dd>
        </div>
        <div>
          <dt>{t("book.reference")}</dt>
          <dd>
            <bdi>{b.code}</bdi>
          </dd>
        </div>
      </dl>
      <Link to={`/bookings/${b.id}`} aria-label={`${t("book.view")} ${b.code}`}>
        {t("book.view")}
      </Link>
    </li>
  );
}
