import { useCallback, useEffect, useState } from "react";
import { request } from "./api";
import type { BillingQuery as BillingResult, PaymentsQuery as PaymentsResult } from "./gql/graphql";
import { Modal } from "./Modal";
import { BillingQuery, CancelMutation, PaymentsQuery } from "./operations";
import { PendingChange } from "./PendingChange";
import { RequestRefundButton, RequestStatus } from "./RefundRequest";
import { isPro, singleOffer, useSession } from "./session";

const PAGE = 10;
type Payment = PaymentsResult["paymentHistory"]["edges"][number]["node"];

const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleDateString(undefined, { dateStyle: "medium" }) : "—");

export function BillingPage(props: { onUpgrade: () => void }) {
  const session = useSession();
  const [billing, setBilling] = useState<BillingResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<"end" | "now" | null>(null);
  const load = useCallback(() => {
    request(BillingQuery).then(setBilling, (e: Error) => setError(e.message));
  }, []);
  useEffect(load, [load, session.data?.entitlements.plan.code]);
  const sub = billing?.subscription;
  const live = sub && (sub.status === "ACTIVE" || sub.status === "AUTHENTICATED") && !sub.cancelAtPeriodEnd;
  return (
    <>
      <h1>Billing</h1>
      {error && <p role="alert" className="error">{error}</p>}
      {!billing && !error && <p role="status">Loading…</p>}
      {billing && (
        <section className="card" aria-label="Subscription">
          <dl className="facts">
            <dt>Plan</dt><dd>{session.data?.entitlements.plan.name}{sub ? ` · ${priceOf(sub)}` : ""}</dd>
            <dt>Status</dt><dd>{sub ? sub.status.toLowerCase() + (sub.cancelAtPeriodEnd ? " (cancels at period end)" : "") : "no subscription"}</dd>
            <dt>Access until</dt><dd>{when(sub?.accessUntil)}</dd>
            <dt>Next charge</dt><dd>{sub?.cancelAtPeriodEnd ? "none" : when(sub?.nextChargeAt)}</dd>
          </dl>
          {live ? (
            <div className="actions">
              <button onClick={() => setConfirm("end")}>Cancel at period end</button>
              <button className="danger" onClick={() => setConfirm("now")}>Cancel now</button>
            </div>
          ) : !isPro(session) && (
            <button className="primary" onClick={props.onUpgrade}>{upgradeWords(session)}</button>
          )}
        </section>
      )}
      <PendingChange onChanged={load} />
      <Payments />
      {confirm && <CancelDialog plan={session.data?.entitlements.plan.name ?? "your plan"} atPeriodEnd={confirm === "end"} onClose={() => setConfirm(null)} onDone={() => { setConfirm(null); load(); void session.refetch(); }} />}
    </>
  );
}

function upgradeWords(session: ReturnType<typeof useSession>): string {
  const offer = singleOffer(session);
  return offer ? `Upgrade to ${offer.name}` : "See plans";
}

type Sub = NonNullable<BillingResult["subscription"]>;

/** What the subscription charges, from the API's formatted price for its period. */
function priceOf(sub: Sub): string {
  const price = sub.plan.prices.find((p) => p.period === sub.period);
  const per = sub.period === "YEARLY" ? "year" : "month";
  return price ? `${price.price.formatted}/${per}` : "";
}

function CancelDialog(props: { plan: string; atPeriodEnd: boolean; onClose: () => void; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function cancel() {
    setBusy(true);
    try {
      const { cancelSubscription: r } = await request(CancelMutation, { atPeriodEnd: props.atPeriodEnd });
      if (r.__typename === "Failure") setError(r.message);
      else props.onDone();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal title={props.atPeriodEnd ? "Cancel at period end?" : "Cancel now?"} onClose={props.onClose}>
      <p>{props.atPeriodEnd ? `You keep ${props.plan} until the end of the period you paid for; nothing more is charged.` : `${props.plan} ends now and nothing more is charged.`}</p>
      {error && <p role="alert" className="error">{error}</p>}
      <div className="actions">
        <button onClick={props.onClose}>Keep {props.plan}</button>
        <button className="danger" disabled={busy} onClick={() => void cancel()}>{busy ? "Cancelling…" : "Yes, cancel"}</button>
      </div>
    </Modal>
  );
}

function Payments() {
  const [pages, setPages] = useState<PaymentsResult["paymentHistory"][]>([]);
  const [error, setError] = useState<string | null>(null);
  const more = useCallback((after: string | null) => {
    request(PaymentsQuery, { first: PAGE, after }).then(
      (r) => setPages((p) => [...(after ? p : []), r.paymentHistory]),
      (e: Error) => setError(e.message),
    );
  }, []);
  useEffect(() => more(null), [more]);
  // After a request, every page loaded so far is read again so the new status shows in place.
  const reload = useCallback(() => {
    const shown = pages.reduce((n, p) => n + p.edges.length, 0);
    request(PaymentsQuery, { first: Math.min(100, Math.max(PAGE, shown)), after: null }).then(
      (r) => setPages([r.paymentHistory]),
      (e: Error) => setError(e.message),
    );
  }, [pages]);
  const last = pages[pages.length - 1];
  const payments = pages.flatMap((p) => p.edges.map((e) => e.node));
  return (
    <section className="card" aria-label="Payment history">
      <h2>Payment history</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {!last && !error && <p role="status">Loading…</p>}
      {last && payments.length === 0 && <p className="muted">No payments yet.</p>}
      <ul className="payments">{payments.map((p) => <PaymentRow key={p.id} payment={p} onChanged={reload} />)}</ul>
      {last?.pageInfo.hasNextPage && <button onClick={() => more(last.pageInfo.endCursor ?? null)}>Show more</button>}
    </section>
  );
}

function PaymentRow({ payment: p, onChanged }: { payment: Payment; onChanged: () => void }) {
  return (
    <li className="payment">
      <div className="row">
        <span>{when(p.createdAt)}</span>
        <strong>{p.amount.formatted}</strong>
        <span className={`status ${p.status}`}>{p.status.replace("_", " ")}</span>
        <span className="refund-slot" data-payment-id={p.id}><RequestRefundButton payment={p} onRequested={onChanged} /></span>
      </div>
      <div className="muted small">{p.method}{p.cardLast4 ? ` ···· ${p.cardLast4}` : ""}{p.failureReason ? ` · ${p.failureReason}` : ""}</div>
      {p.refunds.map((r) => (
        <div key={r.id} className="refund small">Refund {r.amount.formatted} · {r.status} · {when(r.createdAt)}</div>
      ))}
      <RequestStatus requests={p.refundRequests} refunds={p.refunds} />
    </li>
  );
}
