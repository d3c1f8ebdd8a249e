import { useEffect, useState } from "react";
import { request } from "./api";
import { loadCheckout, openCheckout, type CheckoutOutcome } from "./checkout";
import { errorWords, failureWords } from "./failures";
import { track } from "./funnel";
import type { CreditPacksQuery as PacksResult } from "./gql/graphql";
import { Modal } from "./Modal";
import { BuyCreditsMutation, ConfirmCreditPurchaseMutation, CreditPacksQuery } from "./operations";

type Pack = PacksResult["creditPacks"][number];
type Stage =
  | { kind: "choose" }
  | { kind: "working"; text: string }
  | { kind: "paying" }
  | { kind: "done"; credits: number; balance: number }
  | { kind: "failed"; reason: string }
  | { kind: "dismissed" };

/** Buying a credit pack: pick one, `buyCredits` makes (or finds) its order, Checkout takes the
 * payment for that order, and `confirmCreditPurchase` credits it at once. */
export function BuyCreditsModal(props: { onClose: () => void; onBought: () => void }) {
  const [packs, setPacks] = useState<PacksResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [stage, setStage] = useState<Stage>({ kind: "choose" });
  // One key per pack while this modal is open: a retry or a double click reaches the same order.
  const [keys] = useState(() => new Map<string, string>());
  useEffect(() => {
    track("PRICING_OPENED");
    request(CreditPacksQuery).then((r) => { setPacks(r); setChosen(r.creditPacks[0]?.code ?? null); }, (e: unknown) => setError(errorWords(e)));
  }, []);
  const pack = packs?.creditPacks.find((p) => p.code === chosen) ?? null;

  async function buy(pack: Pack, scriptUrl: string) {
    track("PACK_SELECTED", { pack: pack.code });
    setStage({ kind: "working", text: "Preparing checkout…" });
    if (!keys.has(pack.code)) keys.set(pack.code, crypto.randomUUID());
    try {
      const { buyCredits: order } = await request(BuyCreditsMutation, { pack: pack.code, key: keys.get(pack.code)! });
      if (order.__typename === "Failure") return setStage({ kind: "failed", reason: failureWords(order) });
      await loadCheckout(scriptUrl);
      setStage({ kind: "paying" });
      openCheckout(order, (outcome) => void settle(outcome, pack.code, order.orderId));
      track("CHECKOUT_OPENED", { pack: pack.code });
    } catch (e) {
      setStage({ kind: "failed", reason: errorWords(e) });
    }
  }

  async function settle(outcome: CheckoutOutcome, code: string, orderId: string) {
    if (outcome.kind !== "paid") track(outcome.kind === "failed" ? "PAYMENT_FAILED" : "CHECKOUT_DISMISSED", { pack: code });
    if (outcome.kind === "failed") return setStage({ kind: "failed", reason: outcome.reason });
    if (outcome.kind === "dismissed") return setStage((s) => (s.kind === "failed" ? s : { kind: "dismissed" }));
    setStage({ kind: "working", text: "Confirming your payment…" });
    const r = outcome.response;
    try {
      const { confirmCreditPurchase: done } = await request(ConfirmCreditPurchaseMutation, {
        orderId: r.razorpay_order_id ?? orderId, paymentId: r.razorpay_payment_id, signature: r.razorpay_signature,
      });
      if (done.__typename === "Failure") return setStage({ kind: "failed", reason: failureWords(done) });
      track("PAYMENT_SUCCEEDED", { pack: code });
      setStage({ kind: "done", credits: done.credits, balance: done.balance });
      props.onBought();
    } catch (e) {
      setStage({ kind: "failed", reason: errorWords(e) });
    }
  }

  const start = () => { if (pack && packs) void buy(pack, packs.checkoutConfig.scriptUrl); };
  return (
    <Modal title="Buy credits" onClose={props.onClose}>
      {error && <p role="alert" className="error">{error}</p>}
      {!packs && !error && <p role="status">Loading packs…</p>}
      {packs && stage.kind === "choose" && (
        <PackChoice packs={packs.creditPacks} chosen={chosen} onChoose={setChosen} onContinue={start} />
      )}
      {stage.kind === "working" && <p role="status" aria-live="polite">{stage.text}</p>}
      {stage.kind === "paying" && <p role="status" aria-live="polite">Complete the payment in the checkout window.</p>}
      {stage.kind === "done" && (
        <>
          <p role="status" className="success">Added {stage.credits} credits. Your balance is {stage.balance}.</p>
          <button className="primary" onClick={props.onClose}>Done</button>
        </>
      )}
      {stage.kind === "failed" && (
        <>
          <p role="alert" className="error">Payment failed: {stage.reason}</p>
          <button className="primary" onClick={start}>Try again</button>
        </>
      )}
      {stage.kind === "dismissed" && (
        <>
          <p role="status">Checkout was closed before paying. Nothing was charged.</p>
          <button className="primary" onClick={start}>Try again</button>
        </>
      )}
    </Modal>
  );
}

function PackChoice(props: { packs: Pack[]; chosen: string | null; onChoose: (code: string) => void; onContinue: () => void }) {
  return (
    <>
      <fieldset className="packs">
        <legend>Choose a pack</legend>
        {props.packs.map((p) => (
          <label key={p.code} className={`pack${p.code === props.chosen ? " on" : ""}`}>
            <input type="radio" name="pack" value={p.code} checked={p.code === props.chosen} onChange={() => props.onChoose(p.code)} />
            <span className="grow"><strong>{p.name}</strong>{p.name.includes(String(p.credits)) ? "" : ` · ${p.credits.toLocaleString()} credits`}
              {p.validityDays ? <span className="muted small"> · valid {p.validityDays} days</span> : null}</span>
            <strong>{p.price.formatted}</strong>
          </label>
        ))}
      </fieldset>
      <button className="primary" data-autofocus disabled={!props.chosen} onClick={props.onContinue}>Continue to payment</button>
    </>
  );
}
