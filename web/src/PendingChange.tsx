import { useCallback, useEffect, useState } from "react";
import { request } from "./api";
import { loadCheckout, openCheckout, type CheckoutOutcome } from "./checkout";
import { errorWords, failureWords } from "./failures";
import type { PlanChangeFieldsFragment as Change } from "./gql/graphql";
import { CancelScheduledChangeMutation, CheckoutConfigQuery, ConfirmCheckoutMutation, PendingPlanChangeQuery } from "./operations";
import { useSession } from "./session";

const day = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleDateString(undefined, { dateStyle: "medium" }) : "the end of the period");

/** What the change in flight will do, in words. */
function words(change: Change): string {
  const name = change.toPlan?.name ?? change.plan;
  if (change.state === "AWAITING_PAYMENT") return `Moving to ${name}: waiting for payment. Your plan stays until it is paid.`;
  if (!takesBack(change)) return `Moving to ${name} on ${day(change.effectiveAt)}; its payment is set up, so it can no longer be taken back.`;
  return `Moving to ${name} on ${day(change.effectiveAt)}.`;
}

/** A new subscription whose mandate is authenticated cannot be undone (the old one is already
 * cancelled at its cycle end): cancelScheduledChange would refuse it. */
export const takesBack = (change: Change) => !(change.path === "NEW_SUBSCRIPTION" && change.state === "SCHEDULED");

/** The viewer's plan change in flight, read from the API (so it survives a reload), with a way
 * to pay it (a change waiting in Checkout) or take it back. Renders nothing when there is none.
 * `reload` changes when the page knows a change was made; `onChanged` tells the page one ended. */
export function PendingChange(props: { reload?: number; onChanged?: () => void }) {
  const session = useSession();
  const [change, setChange] = useState<Change | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);
  const load = useCallback(() => {
    request(PendingPlanChangeQuery).then((r) => setChange(r.pendingPlanChange ?? null), (e: unknown) => setNote({ text: errorWords(e), error: true }));
  }, []);
  useEffect(load, [load, props.reload]);
  const ended = async (text: string) => {
    setBusy(null);
    setNote({ text, error: false });
    load();
    await session.refetch();
    props.onChanged?.();
  };

  async function takeBack() {
    setBusy("Taking the change back…");
    try {
      const { cancelScheduledChange: r } = await request(CancelScheduledChangeMutation);
      if (r.__typename === "Failure") return fail(failureWords(r));
      await ended("The change is taken back: your plan stays.");
    } catch (e) {
      fail(errorWords(e));
    }
  }

  async function pay(details: NonNullable<Change["checkout"]>) {
    setNote(null);
    try {
      const { checkoutConfig } = await request(CheckoutConfigQuery);
      await loadCheckout(checkoutConfig.scriptUrl);
      setBusy("Complete the payment in the checkout window.");
      openCheckout(details, (outcome) => void settle(outcome, details.subscriptionId));
    } catch (e) {
      fail(errorWords(e));
    }
  }

  async function settle(outcome: CheckoutOutcome, subscriptionId: string) {
    if (outcome.kind === "failed") return fail(`Payment failed: ${outcome.reason}`);
    if (outcome.kind === "dismissed") return setBusy(null);
    setBusy("Confirming your payment…");
    const r = outcome.response;
    try {
      const { confirmCheckout } = await request(ConfirmCheckoutMutation, {
        paymentId: r.razorpay_payment_id, subscriptionId: r.razorpay_subscription_id ?? subscriptionId, signature: r.razorpay_signature,
      });
      if (confirmCheckout.__typename === "Failure") return fail(confirmCheckout.message);
      await ended("Paid: the change goes ahead.");
    } catch (e) {
      fail(errorWords(e));
    }
  }

  function fail(text: string) {
    setBusy(null);
    setNote({ text, error: true });
  }

  if (!change && !note) return null;
  return (
    <section className="card" aria-label="Plan change">
      {change && <p>{words(change)}</p>}
      {busy && <p role="status" aria-live="polite">{busy}</p>}
      {note && <p role={note.error ? "alert" : "status"} className={note.error ? "error" : "success"}>{note.text}</p>}
      {change && !busy && (
        <div className="actions">
          {change.state === "AWAITING_PAYMENT" && change.checkout && <button className="primary" onClick={() => void pay(change.checkout!)}>Pay in Checkout</button>}
          {takesBack(change) && <button className="danger" onClick={() => void takeBack()}>Cancel the change</button>}
        </div>
      )}
    </section>
  );
}
