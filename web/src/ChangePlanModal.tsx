import { useState } from "react";
import { request } from "./api";
import { loadCheckout, openCheckout, type CheckoutOutcome } from "./checkout";
import { errorWords, failureWords } from "./failures";
import type { ChangeTiming, PlanChangeFieldsFragment as Change } from "./gql/graphql";
import { Modal } from "./Modal";
import { CancelScheduledChangeMutation, ChangePlanMutation, CheckoutConfigQuery, ConfirmCheckoutMutation } from "./operations";
import { takesBack } from "./PendingChange";
import { PER, useSession, type Offer } from "./session";

/** Where the user is now: their plan and the subscription's paid period. */
export type Current = { code: string; name: string; rank: number; period: string | null; periodEnd: string | null };
export type Target = Offer & { rank: number };

type Stage =
  | { kind: "review" }
  | { kind: "working"; text: string }
  | { kind: "result"; change: Change }
  | { kind: "kept" }
  | { kind: "failed"; reason: string };

const day = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleDateString(undefined, { dateStyle: "medium" }) : "the end of the period");

/** Up (a higher plan, or yearly on the same plan): now by default; down: at the period's end. */
function isUp(from: Current, to: Target): boolean {
  return to.rank > from.rank || (to.rank === from.rank && to.period === "YEARLY");
}

/** What `when` will do, in words, before anything is asked of the API. */
function consequence(from: Current, to: Target, when: ChangeTiming): string {
  const end = day(from.periodEnd);
  if (to.rank === 0) return `You keep ${from.name} until ${end}; then ${to.name} applies and nothing more is charged. Once made, this cannot be taken back.`;
  const price = to.rank === 0 ? "no charge" : `${to.price}/${PER[to.period]}`;
  if (when === "CYCLE_END") return `You keep ${from.name} until ${end}; then ${to.name} (${price}) applies and is charged from then.`;
  if (isUp(from, to)) return `${to.name} starts now. You pay only the difference for the rest of this period (until ${end}), prorated: charged at once, or, where your payment method cannot be changed, ${to.name} is paid in Checkout and the unused part of ${from.name} refunded. Then ${price}.`;
  return `${to.name} starts now and the unused part of ${from.name} is refunded, prorated to the second; then ${price}.`;
}

export function ChangePlanModal(props: { from: Current; to: Target; onClose: () => void }) {
  const { from, to } = props;
  const session = useSession();
  // Down to the free plan is a cancellation at the period's end, which is all the API does.
  const [when, setWhen] = useState<ChangeTiming>(isUp(from, to) && to.rank > 0 ? "NOW" : "CYCLE_END");
  const [stage, setStage] = useState<Stage>({ kind: "review" });
  const [key] = useState(() => crypto.randomUUID()); // a retry of this change is the same change

  async function change() {
    setStage({ kind: "working", text: "Changing your plan…" });
    try {
      const { changePlan: r } = await request(ChangePlanMutation, { plan: to.code, period: to.period, when, key });
      if (r.__typename === "Failure") return setStage({ kind: "failed", reason: failureWords(r) });
      if (r.state === "AWAITING_PAYMENT" && r.checkout) return pay(r);
      await session.refetch();
      setStage({ kind: "result", change: r });
    } catch (e) {
      setStage({ kind: "failed", reason: errorWords(e) });
    }
  }

  async function pay(change: Change) {
    const details = change.checkout!;
    const { checkoutConfig } = await request(CheckoutConfigQuery);
    await loadCheckout(checkoutConfig.scriptUrl);
    setStage({ kind: "working", text: "Complete the payment in the checkout window." });
    openCheckout(details, (outcome) => void settle(outcome, change, details.subscriptionId));
  }

  async function settle(outcome: CheckoutOutcome, change: Change, subscriptionId: string) {
    if (outcome.kind === "failed") return setStage({ kind: "failed", reason: `Payment failed: ${outcome.reason}` });
    if (outcome.kind === "dismissed") return setStage((s) => (s.kind === "failed" ? s : { kind: "result", change }));
    setStage({ kind: "working", text: "Confirming your payment…" });
    const r = outcome.response;
    try {
      const { confirmCheckout } = await request(ConfirmCheckoutMutation, {
        paymentId: r.razorpay_payment_id, subscriptionId: r.razorpay_subscription_id ?? subscriptionId, signature: r.razorpay_signature,
      });
      if (confirmCheckout.__typename === "Failure") return setStage({ kind: "failed", reason: confirmCheckout.message });
      await session.refetch();
      setStage({ kind: "result", change: { ...change, state: change.when === "NOW" ? "APPLIED" : "SCHEDULED" } });
    } catch (e) {
      setStage({ kind: "failed", reason: errorWords(e) });
    }
  }

  async function takeBack() {
    setStage({ kind: "working", text: "Taking the change back…" });
    try {
      const { cancelScheduledChange: r } = await request(CancelScheduledChangeMutation);
      if (r.__typename === "Failure") return setStage({ kind: "failed", reason: failureWords(r) });
      await session.refetch();
      setStage({ kind: "kept" });
    } catch (e) {
      setStage({ kind: "failed", reason: errorWords(e) });
    }
  }

  return (
    <Modal title={`Change to ${to.name}`} onClose={props.onClose}>
      {stage.kind === "review" && (
        <>
{to.rank > 0 && (
          <fieldset className="choice">
            <legend>When</legend>
            <label className="inline"><input type="radio" name="when" checked={when === "NOW"} onChange={() => setWhen("NOW")} /> Now</label>
            <label className="inline"><input type="radio" name="when" checked={when === "CYCLE_END"} onChange={() => setWhen("CYCLE_END")} /> At the end of this period</label>
          </fieldset>
          )}
          <p aria-live="polite">{consequence(from, to, when)}</p>
          <div className="actions">
            <button onClick={props.onClose}>Keep {from.name}</button>
            <button className="primary" data-autofocus onClick={() => void change()}>Change to {to.name}</button>
          </div>
        </>
      )}
      {stage.kind === "working" && <p role="status" aria-live="polite">{stage.text}</p>}
      {stage.kind === "result" && <ChangeResult change={stage.change} from={from} to={to} onTakeBack={() => void takeBack()} onClose={props.onClose} />}
      {stage.kind === "kept" && (
        <>
          <p role="status" className="success">The change is taken back: you stay on {from.name}.</p>
          <button className="primary" onClick={props.onClose}>Done</button>
        </>
      )}
      {stage.kind === "failed" && (
        <>
          <p role="alert" className="error">{stage.reason}</p>
          <button onClick={props.onClose}>Close</button>
        </>
      )}
    </Modal>
  );
}

function ChangeResult(props: { change: Change; from: Current; to: Target; onTakeBack: () => void; onClose: () => void }) {
  const { change, from, to } = props;
  const words =
    change.state === "APPLIED" && to.rank === 0 ? `${to.name} applies on ${day(change.effectiveAt ?? from.periodEnd)}; until then you keep ${from.name}, and nothing more is charged.`
    : change.state === "APPLIED" ? `You are on ${to.name}.`
    : change.state === "SCHEDULED" ? `${to.name} applies on ${day(change.effectiveAt ?? from.periodEnd)}; until then you keep ${from.name}.${takesBack(change) ? "" : " Its payment is set up, so it can no longer be taken back."}`
    : change.state === "AWAITING_PAYMENT" ? `Checkout was closed before paying: you are still on ${from.name}, and nothing was charged.`
    : `The change ${change.state.toLowerCase()}.`;
  // As on the pending-change card: a paid move to a new subscription can no longer be taken back.
  const open = (change.state === "SCHEDULED" || change.state === "AWAITING_PAYMENT") && takesBack(change);
  return (
    <>
      <p role="status" className={change.state === "APPLIED" ? "success" : undefined}>{words}</p>
      <div className="actions">
        {open && <button className="danger" onClick={props.onTakeBack}>Cancel the change</button>}
        <button className="primary" onClick={props.onClose}>Done</button>
      </div>
    </>
  );
}
