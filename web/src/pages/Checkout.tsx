import { useEffect, useRef, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { api, csrfToken, newIdempotencyKey, problemOf, type Schemas } from "../api/client";
import { formatDateTime, formatMoney } from "../api/money";
import { useI18n } from "../i18n";
import { Alert, Button, Card, Field, Loading } from "../ui";
import type { PaymentElementHandle } from "./stripePayment";

type Hold = Schemas["HoldOut"];
type Price = Schemas["PriceOut"];
type PaymentsConfig = Schemas["PaymentsConfigOut"];

// The gateway does not change while the app runs: asked once.
let paymentsConfig: Promise<PaymentsConfig | null> | null = null;

function loadPaymentsConfig(): Promise<PaymentsConfig | null> {
  paymentsConfig ??= api.GET("/v1/payments/config").then(({ data }) => {
    if (!data) paymentsConfig = null; // not answered: ask again next time
    return data ?? null;
  });
  return paymentsConfig;
}

// Stripe checkout: `idle` (no intent yet) -> `loading` the Payment Element -> `ready` for the
// customer's card -> `confirming` with Stripe (3-D Secure inside) -> `waiting` for our API to
// hear Stripe's webhook -> the booking page; or `slow` when that takes longer than a minute.
type StripeStage = "idle" | "loading" | "ready" | "confirming" | "waiting" | "slow";

// A hold left without paying is released. The release waits a tick so that React's
// development double-mount (unmount + mount of the same page) does not release it.
const pendingRelease = new Map<string, ReturnType<typeof setTimeout>>();

function releaseHold(holdId: string): void {
  // keepalive: the request survives the page being closed.
  void fetch(`/v1/holds/${encodeURIComponent(holdId)}`, {
    method: "DELETE",
    keepalive: true,
    credentials: "same-origin",
    headers: { "X-CSRF-Token": csrfToken() },
  }).catch(() => undefined);
}

function remaining(expiresAt: string, now: number): number {
  return Math.max(0, Math.floor((new Date(expiresAt).getTime() - now) / 1000));
}

export default function Checkout() {
  const { holdId = "" } = useParams();
  const { t, locale, lang } = useI18n();
  const navigate = useNavigate();
  const [hold, setHold] = useState<Hold | null>(null);
  const [info, setInfo] = useState<Schemas["StorefrontShow"] | null>(null);
  const [categoryOf, setCategoryOf] = useState<Record<string, { label: string; category: string }>>({});
  const [types, setTypes] = useState<Record<string, string>>({});
  const [card, setCard] = useState("");
  const [now, setNow] = useState(() => Date.now());
  const [paying, setPaying] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pendingPayment, setPendingPayment] = useState<string | null>(null);
  const done = useRef(false);
  const attemptKey = useRef<string | null>(null);
  const inFlight = useRef(false);
  const [config, setConfig] = useState<PaymentsConfig | null>(null);
  const [stage, setStage] = useState<StripeStage>("idle");
  const [stripeBooking, setStripeBooking] = useState<string | null>(null);
  const [clientSecret, setClientSecret] = useState<string | null>(null);
  const elementBox = useRef<HTMLDivElement>(null);
  const element = useRef<PaymentElementHandle | null>(null);

  useEffect(() => {
    void loadPaymentsConfig().then((c) => {
      if (c) setConfig(c);
      else setError(t("pay.configFailed"));
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // The Payment Element, once the checkout answered a client secret.
  useEffect(() => {
    const key = config?.publishable_key;
    const box = elementBox.current;
    if (!clientSecret || !key || !box) return;
    let cancelled = false;
    void (async () => {
      try {
        const { mountPaymentElement } = await import("./stripePayment");
        const handle = await mountPaymentElement(box, { publishableKey: key, clientSecret, lang });
        if (cancelled) return handle.destroy();
        element.current = handle;
        setStage("ready");
      } catch {
        if (cancelled) return;
        setError(t("pay.formFailed"));
        setStage("idle");
        setClientSecret(null);
      }
    })();
    return () => {
      cancelled = true;
      element.current?.destroy();
      element.current = null;
    };
    // The element keeps the language it was made with: a new one only for a new intent.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [clientSecret, config]);

  useEffect(() => {
    void (async () => {
      const { data, error: err } = await api.GET("/v1/holds/{hold_id}", {
        params: { path: { hold_id: holdId } },
      });
      if (!data) return setError(err?.detail ?? "unknown hold");
      setHold(data);
      const [show, map] = await Promise.all([
        api.GET("/v1/storefront/shows/{show_id}", { params: { path: { show_id: data.show_id } } }),
        api.GET("/v1/shows/{show_id}/seat-map", { params: { path: { show_id: data.show_id } } }),
      ]);
      if (show.data) setInfo(show.data);
      const seats = Object.fromEntries(
        (map.data?.seats ?? [])
          .filter((s) => data.seat_ids.includes(s.id))
          .map((s) => [s.id, { label: s.label, category: s.category }]),
      );
      setCategoryOf(seats);
    })();
  }, [holdId]);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    const scheduled = pendingRelease.get(holdId);
    if (scheduled) clearTimeout(scheduled);
    const onHide = () => {
      if (!done.current) releaseHold(holdId);
    };
    window.addEventListener("pagehide", onHide);
    return () => {
      window.removeEventListener("pagehide", onHide);
      if (!done.current) {
        pendingRelease.set(
          holdId,
          setTimeout(() => {
            pendingRelease.delete(holdId);
            releaseHold(holdId);
          }, 50),
        );
      }
    };
  }, [holdId]);

  if (error && !hold) return <Alert kind="error">{error}</Alert>;
  if (!hold) return <Loading label={t("common.loading")} />;

  const left = remaining(hold.expires_at, now);
  const expired = left === 0 || hold.status !== "active";
  const prices: Price[] = info?.show.prices ?? [];
  const optionsFor = (seatId: string) =>
    prices.filter((p) => p.category === categoryOf[seatId]?.category);
  const priceFor = (seatId: string) => {
    const options = optionsFor(seatId);
    return options.find((p) => p.ticket_type === types[seatId]) ?? options[0];
  };
  // The theatre's booking fee per ticket is charged on top of the prices: the total shown is
  // the one the API charges.
  const fee = info?.show.booking_fee?.amount ? info.show.booking_fee : null;
  const fees = fee ? fee.amount * hold.seat_ids.length : 0;
  const total = hold.seat_ids.reduce((sum, id) => sum + (priceFor(id)?.price.amount ?? 0), fees);
  const currency = prices[0]?.price.currency ?? info?.theatre.currency ?? "INR";
  const tz = info?.theatre.timezone ?? "UTC";
  const mmss = `${String(Math.floor(left / 60)).padStart(2, "0")}:${String(left % 60).padStart(2, "0")}`;

  const extend = async () => {
    const { data, error: err } = await api.POST("/v1/holds/{hold_id}/extend", {
      params: { path: { hold_id: hold.id } },
    });
    if (data) setHold(data);
    else setError(err?.detail ?? "");
  };

  const release = async () => {
    done.current = true;
    await api.DELETE("/v1/holds/{hold_id}", { params: { path: { hold_id: hold.id } } });
    navigate(`/shows/${hold.show_id}`);
  };

  const stripe = config?.gateway === "stripe";
  const busy = paying || stage === "loading" || stage === "confirming" || stage === "waiting";

  // Stripe, step 1: the booking and its PaymentIntent, with no card details (the customer types
  // them into Stripe's element, which sends them to Stripe only).
  const startStripe = async () => {
    const sent = await postCheckout();
    if (!sent) return; // a double click: the first click's request is under way
    const { data, error: err } = sent;
    if (!data) {
      setError(problemOf(err)?.detail ?? t("common.error", { detail: "" }));
      return;
    }
    setStripeBooking(data.booking.id);
    if (data.booking.status === "confirmed") {
      done.current = true;
      navigate(`/bookings/${data.booking.id}?new=1`);
      return;
    }
    if (!data.client_secret) {
      // A payment for this hold is already under way (another tab, a reload): it is settled
      // by Stripe's webhook, and the booking page shows the result.
      done.current = true;
      setStage("slow");
      setError(t("pay.startedElsewhere"));
      return;
    }
    // From here Stripe may take the money at any moment (3-D Secure in another window, a
    // retry): leaving the page no longer releases the seats; the hold runs out on its own.
    done.current = true;
    setStage("loading");
    setClientSecret(data.client_secret);
  };

  // Stripe, step 2: Stripe.js confirms with what the customer typed (3-D Secure inside), then
  // the page waits for Stripe's webhook to confirm the booking on our side.
  const confirmStripe = async () => {
    const handle = element.current;
    if (!handle || !stripeBooking || stage !== "ready") return;
    setError(null);
    setStage("confirming");
    const bookingId = stripeBooking;
    const outcome = await handle.confirm(
      `${window.location.origin}/bookings/${encodeURIComponent(bookingId)}?new=1`,
    );
    if (outcome.kind === "declined") {
      setError(outcome.message || t("pay.declined"));
      if (outcome.retry === "new") {
        setClientSecret(null); // a fresh checkout, a fresh intent
        setStage("idle");
      } else setStage("ready");
      return;
    }
    setStage("waiting");
    const { waitForBooking } = await import("./stripePayment");
    const state = await waitForBooking(async () => {
      const { data } = await api.GET("/v1/bookings/{booking_id}", {
        params: { path: { booking_id: bookingId } },
      });
      return data?.status ?? null;
    });
    if (state === "confirmed") {
      navigate(`/bookings/${bookingId}?new=1`);
      return;
    }
    setStage("slow");
    setError(state === "failed" ? t("pay.failedAfterPaying") : null);
  };

  const ticketTypes = () =>
    Object.fromEntries(
      hold.seat_ids.map((id) => [id, priceFor(id)?.ticket_type]).filter(([, v]) => v),
    ) as Record<string, string>;

  // One checkout request at a time (a double click sends one payment), under one key per
  // attempt: a double click repeats this attempt, a retry after a decline is new. With Stripe
  // there is no `payment`: the card goes from Stripe's element to Stripe only.
  const postCheckout = async (payment?: { card_number: string }) => {
    if (inFlight.current) return null;
    inFlight.current = true;
    setPaying(true);
    setError(null);
    attemptKey.current ??= newIdempotencyKey();
    const answer = await api.POST("/v1/checkout", {
      body: {
        hold_id: hold.id,
        method: "card",
        ticket_types: ticketTypes(),
        ...(payment && { payment }),
      },
      headers: { "Idempotency-Key": attemptKey.current },
    });
    attemptKey.current = null;
    inFlight.current = false;
    setPaying(false);
    return answer;
  };

  const pay = async () => {
    if (stripe) return void (stage === "ready" ? confirmStripe() : startStripe());
    const sent = await postCheckout({ card_number: card.replace(/\s+/g, "") });
    if (!sent) return;
    const { data, error: err } = sent;
    if (data) {
      if (data.next_action && data.booking.status !== "confirmed") {
        setPendingPayment(data.payment.id);
        return;
      }
      done.current = true;
      navigate(`/bookings/${data.booking.id}?new=1`);
      return;
    }
    const problem = problemOf(err);
    if (problem?.code === "payment_declined") setError(t("pay.declined"));
    else setError(problem?.detail ?? t("common.error", { detail: "" }));
  };

  const confirm3ds = async () => {
    if (!pendingPayment) return;
    const { data, error: err } = await api.POST("/v1/payments/{payment_id}/confirm", {
      params: { path: { payment_id: pendingPayment } },
      body: { details: {} },
    });
    if (data && data.booking.status === "confirmed") {
      done.current = true;
      navigate(`/bookings/${data.booking.id}?new=1`);
    } else setError(problemOf(err)?.detail ?? t("pay.declined"));
  };

  return (
    <div className="stack" style={{ maxWidth: 720 }}>
      <h1>{t("hold.title")}</h1>
      {info && (
        <p className="muted">
          <bdi lang={info.movie?.title_language ?? undefined}>{info.movie?.title}</bdi>
          {" · "}
          <bdi>{info.theatre.name}</bdi>
          {info.show.screen_name && (
            <>
              {" · "}
              <bdi>{info.show.screen_name}</bdi>
            </>
          )}
          {" · "}
          <bdi>{formatDateTime(info.show.start, tz, locale)}</bdi>
        </p>
      )}
      <Card>
        {expired ? (
          <Alert kind="error">{t("hold.expired")}</Alert>
        ) : (
          <div className="row" style={{ justifyContent: "space-between" }}>
            <span role="timer" aria-live="off">
              {t("hold.expires", { time: "" })} <span className="countdown">{mmss}</span>
            </span>
            <span className="row">
              {hold.extended ? (
                <span className="muted">{t("hold.extended")}</span>
              ) : (
                <Button small onClick={extend}>
                  {t("hold.extend")}
                </Button>
              )}
              <Button small onClick={release}>
                {t("hold.release")}
              </Button>
            </span>
          </div>
        )}
      </Card>
      <Card>
        <table className="plain">
          <thead>
            <tr>
              <th scope="col">{t("book.seats")}</th>
              <th scope="col">{t("book.ticket")}</th>
              <th scope="col" style={{ textAlign: "end" }}>
                {t("pay.total")}
              </th>
            </tr>
          </thead>
          <tbody>
            {hold.seat_ids.map((id) => {
              const options = optionsFor(id);
              const chosen = priceFor(id);
              return (
                <tr key={id}>
                  <td>{categoryOf[id]?.label ?? id}</td>
                  <td>
                    {options.length > 1 ? (
                      <select
                        aria-label={t("hold.ticketType", { seat: categoryOf[id]?.label ?? id })}
                        value={chosen?.ticket_type}
                        onChange={(e) => setTypes((x) => ({ ...x, [id]: e.target.value }))}
                      >
                        {options.map((p) => (
                          <option key={p.ticket_type} value={p.ticket_type}>
                            {p.name}
                          </option>
                        ))}
                      </select>
                    ) : (
                      (chosen?.name ?? "")
                    )}
                  </td>
                  <td style={{ textAlign: "end" }}>
                    {chosen ? formatMoney(chosen.price, locale) : ""}
                  </td>
                </tr>
              );
            })}
          </tbody>
          <tfoot>
            {fee && (
              <tr>
                <th scope="row" colSpan={2}>
                  {t("pay.fee", { count: hold.seat_ids.length, fee: formatMoney(fee, locale) })}
                </th>
                <td style={{ textAlign: "end" }}>{formatMoney({ amount: fees, currency: fee.currency }, locale)}</td>
              </tr>
            )}
            <tr>
              <th scope="row" colSpan={2}>
                {t("pay.total")}
              </th>
              <td style={{ textAlign: "end", fontWeight: 700 }}>
                {formatMoney({ amount: total, currency }, locale)}
              </td>
            </tr>
          </tfoot>
        </table>
      </Card>
      <Card>
        <form
          className="stack form"
          onSubmit={(e) => {
            e.preventDefault();
            void pay();
          }}
        >
          <h2>{t("pay.title")}</h2>
          {!config ? (
            !error && <Loading label={t("common.loading")} />
          ) : stripe ? (
            <>
              {/* Stripe's Payment Element: its fields are labelled inside Stripe's frame. */}
              <div
                ref={elementBox}
                role="group"
                aria-label={t("pay.stripeForm")}
                hidden={!clientSecret || stage === "slow"}
                className="stripe-element"
              />
              <p role="status" aria-live="polite" className="muted">
                {stage === "loading" && t("pay.formLoading")}
                {stage === "confirming" && t("pay.processing")}
                {stage === "waiting" && t("pay.confirming")}
                {stage === "slow" && !error && t("pay.confirmSlow")}
              </p>
            </>
          ) : (
            <Field
              label={t("pay.card")}
              inputMode="numeric"
              autoComplete="cc-number"
              value={card}
              onChange={(e) => setCard(e.target.value)}
              hint={t("pay.testCards")}
              required
            />
          )}
          {error && <Alert kind="error">{error}</Alert>}
          {stripe && stage === "slow" && stripeBooking ? (
            <Button variant="primary" onClick={() => navigate(`/bookings/${stripeBooking}?new=1`)}>
              {t("pay.openBooking")}
            </Button>
          ) : stripe ? (
            <button type="submit" className="btn primary" disabled={busy || expired}>
              {stage === "idle"
                ? paying
                  ? t("pay.paying")
                  : t("pay.continue")
                : busy
                  ? t("pay.paying")
                  : t("pay.button", { total: formatMoney({ amount: total, currency }, locale) })}
            </button>
          ) : pendingPayment ? (
            <div className="stack">
              <Alert kind="info">{t("pay.needs3ds")}</Alert>
              <Button variant="primary" onClick={confirm3ds}>
                {t("pay.confirm3ds")}
              </Button>
            </div>
          ) : (
            <button type="submit" className="btn primary" disabled={paying || expired || !config}>
              {paying
                ? t("pay.paying")
                : t("pay.button", { total: formatMoney({ amount: total, currency }, locale) })}
            </button>
          )}
        </form>
      </Card>
    </div>
  );
}
