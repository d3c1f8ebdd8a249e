import { GRAPHQL_URL } from "./api";

// Checkout answers with the subscription's id or the order's, whichever it was opened for.
type HandlerResponse = {
  razorpay_payment_id: string;
  razorpay_subscription_id?: string;
  razorpay_order_id?: string;
  razorpay_signature: string;
};
type FailedResponse = { error?: { description?: string; reason?: string } };
type Options = {
  key: string;
  subscription_id?: string;
  order_id?: string;
  amount?: number;
  currency?: string;
  name: string;
  description: string;
  prefill: { email?: string };
  handler: (response: HandlerResponse) => void;
  modal: { ondismiss: () => void };
};
type Razorpay = { open(): void; on(event: "payment.failed", cb: (r: FailedResponse) => void): void };
declare global {
  interface Window {
    Razorpay?: new (options: Options) => Razorpay;
  }
}

const loading = new Map<string, Promise<void>>();

/** Loads Checkout's script once: the URL the API names (Razorpay's, or the sandbox's). */
export function loadCheckout(scriptUrl: string): Promise<void> {
  const url = new URL(scriptUrl, new URL(GRAPHQL_URL, location.href)).toString();
  let found = loading.get(url);
  if (!found) {
    found = new Promise<void>((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.onload = () => resolve();
      script.onerror = () => {
        loading.delete(url);
        reject(new Error("Checkout could not be loaded."));
      };
      document.head.appendChild(script);
    });
    loading.set(url, found);
  }
  return found;
}

export type CheckoutOutcome =
  | { kind: "paid"; response: HandlerResponse }
  | { kind: "failed"; reason: string }
  | { kind: "dismissed" };

type Details = { keyId: string; name: string; description: string; prefillEmail?: string | null } & (
  | { subscriptionId: string }
  | { orderId: string; amount: number; currency: string }
);

/** Opens Checkout for a subscription (a plan) or an order (a credit pack); `onOutcome` hears
 * each payment attempt's end (a failure leaves it open). */
export function openCheckout(details: Details, onOutcome: (outcome: CheckoutOutcome) => void): void {
  if (!window.Razorpay) throw new Error("Checkout is not loaded.");
  const target = "orderId" in details
    ? { order_id: details.orderId, amount: details.amount, currency: details.currency }
    : { subscription_id: details.subscriptionId };
  const checkout = new window.Razorpay({
    key: details.keyId,
    ...target,
    name: details.name,
    description: details.description,
    prefill: details.prefillEmail ? { email: details.prefillEmail } : {},
    handler: (response) => onOutcome({ kind: "paid", response }),
    modal: { ondismiss: () => onOutcome({ kind: "dismissed" }) },
  });
  checkout.on("payment.failed", (r) =>
    onOutcome({ kind: "failed", reason: r.error?.description ?? r.error?.reason ?? "The payment failed." }),
  );
  checkout.open();
}
