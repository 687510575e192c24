// Paying with Stripe's Payment Element. Card details go from the customer's browser to Stripe
// (inside Stripe's own iframes) and never to our API: the checkout answered a PaymentIntent's
// client secret, Stripe.js confirms it (3-D Secure included), and the booking is confirmed by
// Stripe's webhook to our API, which the page waits for.
//
// Stripe.js is loaded only here, on the way to paying: `@stripe/stripe-js` is imported
// dynamically, so neither it nor the script it injects weighs on the first page.
import type { Stripe, StripeElements, StripeElementLocale } from "@stripe/stripe-js";

export type PaymentElementHandle = {
  /** Confirms the intent with what the customer typed; 3-D Secure happens inside. */
  confirm(returnUrl: string): Promise<ConfirmOutcome>;
  destroy(): void;
};

export type ConfirmOutcome =
  | { kind: "paid" } // succeeded or processing: the webhook will confirm the booking
  | { kind: "declined"; message: string; retry: "same" | "new" };

// The interface languages Stripe's Elements speak; the others show English.
const ELEMENT_LOCALES: Record<string, StripeElementLocale> = { en: "en", ar: "ar" };

export function elementLocale(lang: string): StripeElementLocale {
  return ELEMENT_LOCALES[lang] ?? "en";
}

let loaded: Promise<Stripe | null> | null = null;
let loadedKey = "";

function stripeFor(publishableKey: string): Promise<Stripe | null> {
  if (!loaded || loadedKey !== publishableKey) {
    loadedKey = publishableKey;
    loaded = import("@stripe/stripe-js").then(({ loadStripe }) => loadStripe(publishableKey));
    loaded.catch(() => {
      loaded = null; // a failed load (offline for a moment) may be tried again
    });
  }
  return loaded;
}

export async function mountPaymentElement(
  container: HTMLElement,
  options: { publishableKey: string; clientSecret: string; lang: string },
): Promise<PaymentElementHandle> {
  const stripe = await stripeFor(options.publishableKey);
  if (!stripe) throw new Error("Stripe.js is not available");
  const elements: StripeElements = stripe.elements({
    clientSecret: options.clientSecret,
    locale: elementLocale(options.lang),
    appearance: {
      theme: "stripe",
      variables: { colorPrimary: "#b3261e", borderRadius: "6px", fontSizeBase: "16px" },
    },
  });
  const element = elements.create("payment", { layout: "tabs" });
  element.mount(container);
  return {
    async confirm(returnUrl: string): Promise<ConfirmOutcome> {
      const result = await stripe.confirmPayment({
        elements,
        redirect: "if_required",
        confirmParams: { return_url: returnUrl },
      });
      if (result.error) {
        // An intent that can no longer be paid (cancelled meanwhile) needs a new checkout; a
        // decline or a failed authentication can be retried on the same one.
        const stale = result.error.code === "payment_intent_unexpected_state";
        return {
          kind: "declined",
          message: result.error.message ?? "",
          retry: stale ? "new" : "same",
        };
      }
      const status = result.paymentIntent?.status;
      if (status === "succeeded" || status === "processing" || status === "requires_capture") {
        return { kind: "paid" };
      }
      return { kind: "declined", message: "", retry: "same" };
    },
    destroy() {
      element.destroy();
    },
  };
}

export type BookingState = "confirmed" | "failed" | "timeout";

/** Asks for the booking's status until it is settled or `timeoutMs` have passed. */
export async function waitForBooking(
  status: () => Promise<string | null>,
  {
    timeoutMs = 60_000,
    intervalMs = 1_000,
    sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    now = () => Date.now(),
  }: {
    timeoutMs?: number;
    intervalMs?: number;
    sleep?: (ms: number) => Promise<void>;
    now?: () => number;
  } = {},
): Promise<BookingState> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const current = await status().catch(() => null); // a lost answer: ask again
    if (current === "confirmed") return "confirmed";
    if (current === "failed" || current === "cancelled") return "failed";
    if (now() >= deadline) return "timeout";
    await sleep(Math.min(intervalMs, Math.max(0, deadline - now())));
  }
}
