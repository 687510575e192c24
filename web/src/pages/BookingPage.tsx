import { useEffect, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { api, problemOf, type Schemas } from "../api/client";
import { formatDateTime, formatMoney } from "../api/money";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { Alert, Button, Card, Loading } from "../ui";

type Booking = Schemas["BookingOut"];
type Ticket = Schemas["ETicketOut"];
type Quote = Schemas["CancellationQuote"];

export default function BookingPage() {
  const { bookingId = "" } = useParams();
  const [search] = useSearchParams();
  const { t, locale } = useI18n();
  const [booking, setBooking] = useState<Booking | null>(null);
  const [ticket, setTicket] = useState<Ticket | null>(null);
  const [info, setInfo] = useState<Schemas["StorefrontShow"] | null>(null);
  const [quote, setQuote] = useState<Quote | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    const { data, error: err } = await api.GET("/v1/bookings/{booking_id}", {
      params: { path: { booking_id: bookingId } },
    });
    if (!data) return setError(err?.detail ?? "unknown booking");
    setBooking(data);
    const show = await api.GET("/v1/storefront/shows/{show_id}", {
      params: { path: { show_id: data.show_id } },
    });
    if (show.data) setInfo(show.data);
    if (data.status === "confirmed") {
      const tk = await api.GET("/v1/bookings/{booking_id}/ticket", {
        params: { path: { booking_id: bookingId } },
      });
      setTicket(tk.data ?? null);
    } else setTicket(null);
  };

  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [bookingId, locale]);

  if (error) return <Alert kind="error">{error}</Alert>;
  if (!booking) return <Loading label={t("common.loading")} />;

  const tz = info?.theatre.timezone ?? "UTC";
  const askCancel = async () => {
    const { data, error: err } = await api.GET("/v1/bookings/{booking_id}/cancellation-quote", {
      params: { path: { booking_id: bookingId } },
    });
    if (data) setQuote(data);
    else setError(err?.detail ?? "");
  };
  const cancel = async () => {
    setBusy(true);
    const { data, error: err } = await api.POST("/v1/bookings/{booking_id}/cancel", {
      params: { path: { booking_id: bookingId } },
    });
    setBusy(false);
    setQuote(null);
    if (data) {
      setNotice(`${t("book.cancelled")} · ${t("book.refund")}: ${formatMoney(data.refund, locale)}`);
      await load();
    } else setError(problemOf(err)?.detail ?? "");
  };

  const statusKey = `book.status.${booking.status}` as MessageKey;
  return (
    <div className="stack" style={{ maxWidth: 760 }}>
      {search.get("new") && booking.status === "confirmed" && (
        <Alert kind="ok">{t("book.confirmed")}</Alert>
      )}
      {notice && <Alert kind="ok">{notice}</Alert>}
      <h1>
        {t("book.reference")}: <span data-testid="booking-code">{booking.code}</span>
      </h1>
      <p>
        <span className="tag" data-testid="booking-status">
          {t(statusKey) || booking.status}
        </span>
      </p>
      <Card>
        <dl className="stack" style={{ margin: 0 }}>
          <div>
            <dt className="muted">{t("book.show")}</dt>
            <dd style={{ margin: 0 }}>
              <bdi lang={info?.movie?.title_language ?? undefined}>{info?.movie?.title}</bdi>
              {" — "}
              <bdi>
                {info ? formatDateTime(info.show.start, tz, locale, { dateStyle: "full", timeStyle: "short" }) : ""}
              </bdi>
            </dd>
          </div>
          <div>
            <dt className="muted">{t("book.theatre")}</dt>
            <dd style={{ margin: 0 }}>
              <bdi>{info?.theatre.name}</bdi>
              {info?.show.screen_name && (
                <>
                  {" · "}
                  <bdi>{info.show.screen_name}</bdi>
                </>
              )}
              {info?.theatre.address && (
                <>
                  {", "}
                  <bdi>{info.theatre.address}</bdi>
                </>
              )}
            </dd>
          </div>
          <div>
            <dt className="muted">{t("book.seats")}</dt>
            <dd style={{ margin: 0 }}>{booking.tickets.map((x) => x.label).join(", ")}</dd>
          </div>
          <div>
            <dt className="muted">{t("pay.total")}</dt>
            <dd style={{ margin: 0 }}>{formatMoney(booking.total, locale)}</dd>
          </div>
        </dl>
      </Card>
      {ticket && (
        <Card>
          <div className="row" style={{ gap: 24 }}>
            <img
              className="qr"
              src={ticket.qr_svg_url}
              alt={t("book.qr", { code: ticket.code })}
              width={220}
              height={220}
            />
            <div className="stack">
              <a className="btn" href={ticket.qr_png_url} download={`ticket-${ticket.code}.png`}>
                {t("book.download")}
              </a>
              <Button variant="danger" onClick={askCancel}>
                {t("book.cancel")}
              </Button>
            </div>
          </div>
        </Card>
      )}
      {quote && (
        <Card>
          <div className="stack" role="dialog" aria-label={t("book.cancel")}>
            {quote.cancellable ? (
              <>
                <p data-testid="refund-quote">
                  {t("book.cancelQuote", {
                    refund: formatMoney(quote.refund, locale),
                    fee: formatMoney(quote.fee, locale),
                  })}
                </p>
                <div className="row">
                  <Button variant="danger" disabled={busy} onClick={cancel}>
                    {t("book.cancelConfirm", { refund: formatMoney(quote.refund, locale) })}
                  </Button>
                  <Button onClick={() => setQuote(null)}>{t("book.keep")}</Button>
                </div>
              </>
            ) : (
              <Alert kind="info">{t("book.cancelClosed", { reason: quote.reason ?? "" })}</Alert>
            )}
          </div>
        </Card>
      )}
      {(booking.payments ?? []).some((p) => p.refunded) && (
        <Card>
          <h2>{t("book.refund")}</h2>
          <ul>
            {(booking.payments ?? [])
              .filter((p) => p.refunded)
              .map((p) => (
                <li key={p.id} data-testid="refund-status">
                  {t("book.refundStatus", {
                    amount: formatMoney(p.refunded!, locale),
                    status: p.status,
                  })}
                </li>
              ))}
          </ul>
        </Card>
      )}
      <Link to="/bookings">{t("nav.bookings")}</Link>
    </div>
  );
}
