import { useEffect, useState } from "react";
import { ApiError, request } from "./api";
import { loadCheckout, openCheckout, type CheckoutOutcome } from "./checkout";
import { Modal } from "./Modal";
import { track } from "./funnel";
import { CheckoutConfigQuery, ConfirmCheckoutMutation, UpgradeMutation } from "./operations";
import { PER, useSession, type Offer } from "./session";

type Stage =
  | { kind: "offer" }
  | { kind: "working"; text: string }
  | { kind: "paying" }
  | { kind: "done" }
  | { kind: "failed"; reason: string }
  | { kind: "dismissed" };

/** Buys `offer` through `upgrade(plan, period)` and Checkout; the funnel counts its steps under
 * the plan's code. Opened from the pricing page (`fromPricing`), the prices were already shown. */
export function UpgradeModal(props: { offer: Offer; fromPricing?: boolean; onClose: () => void }) {
  const session = useSession();
  const [stage, setStage] = useState<Stage>({ kind: "offer" });
  const { offer } = props;
  const plan = offer.code;
  useEffect(() => {
    if (!props.fromPricing) track("PRICING_OPENED");
  }, [props.fromPricing]);

  async function start() {
    track("PLAN_SELECTED", { plan });
    setStage({ kind: "working", text: "Preparing checkout…" });
    try {
      const { checkoutConfig } = await request(CheckoutConfigQuery);
      const { upgrade } = await request(UpgradeMutation, { plan: offer.code, period: offer.period });
      if (upgrade.__typename === "Failure") {
        if (upgrade.code === "ALREADY_SUBSCRIBED") return finish();
        return setStage({ kind: "failed", reason: upgrade.message });
      }
      await loadCheckout(checkoutConfig.scriptUrl);
      setStage({ kind: "paying" });
      openCheckout(upgrade, (outcome) => void settle(outcome, upgrade.subscriptionId));
      track("CHECKOUT_OPENED", { plan });
    } catch (e) {
      setStage({ kind: "failed", reason: e instanceof Error ? e.message : String(e) });
    }
  }

  async function settle(outcome: CheckoutOutcome, subscriptionId: string) {
    if (outcome.kind !== "paid") track(outcome.kind === "failed" ? "PAYMENT_FAILED" : "CHECKOUT_DISMISSED", { plan });
    if (outcome.kind === "failed") return setStage({ kind: "failed", reason: outcome.reason });
    if (outcome.kind === "dismissed") return setStage((s) => (s.kind === "failed" ? s : { kind: "dismissed" }));
    setStage({ kind: "working", text: "Confirming your payment…" });
    const r = outcome.response;
    try {
      const { confirmCheckout } = await request(ConfirmCheckoutMutation, {
        paymentId: r.razorpay_payment_id,
        subscriptionId: r.razorpay_subscription_id ?? subscriptionId,
        signature: r.razorpay_signature,
      });
      if (confirmCheckout.__typename === "Failure") return setStage({ kind: "failed", reason: confirmCheckout.message });
      track("PAYMENT_SUCCEEDED", { plan });
      await finish();
    } catch (e) {
      setStage({ kind: "failed", reason: e instanceof ApiError ? e.message : String(e) });
    }
  }

  async function finish() {
    const read = await session.refetch(); // the new plan shows at once, without a reload
    // ALREADY_SUBSCRIBED from another tab's payment is done only if that bought this plan.
    const on = read?.entitlements.plan;
    if (on && on.code !== offer.code) return setStage({ kind: "failed", reason: `You are already on ${on.name}: change plan from Plans.` });
    setStage({ kind: "done" });
  }

  return (
    <Modal title={`Upgrade to ${offer.name}`} onClose={props.onClose}>
      <StageView offer={offer} stage={stage} onStart={() => void start()} onClose={props.onClose} />
    </Modal>
  );
}

function StageView(props: { offer: Offer; stage: Stage; onStart: () => void; onClose: () => void }) {
  const { stage, offer } = props;
  const trial = offer.trialDays ?? 0;
  const again = <button className="primary" onClick={props.onStart}>Try again</button>;
  switch (stage.kind) {
    case "offer":
      return (
        <>
          <p>
            <strong>{offer.name}</strong> at {offer.price}/{PER[offer.period]}: every {offer.name} feature, at once.
            {trial ? ` Free for ${trial} days, then billed` : " Billed"}{" "}
            {offer.period === "YEARLY" ? "yearly" : "monthly"}; cancel any time.
          </p>
          <button className="primary" data-autofocus onClick={props.onStart}>Continue to payment</button>
        </>
      );
    case "working":
      return <p role="status" aria-live="polite">{stage.text}</p>;
    case "paying":
      return <p role="status" aria-live="polite">Complete the payment in the checkout window.</p>;
    case "done":
      return (
        <>
          <p role="status" className="success">You are on {offer.name}. Thank you!</p>
          <button className="primary" onClick={props.onClose}>Done</button>
        </>
      );
    case "failed":
      return (
        <>
          <p role="alert" className="error">Payment failed: {stage.reason}</p>
          {again}
        </>
      );
    case "dismissed":
      return (
        <>
          <p role="status">Checkout was closed before paying. Nothing was charged.</p>
          {again}
        </>
      );
  }
}
