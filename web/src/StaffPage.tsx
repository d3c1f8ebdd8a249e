import { useCallback, useEffect, useState, type FormEvent } from "react";
import { request } from "./api";
import { errorWords, failureWords } from "./failures";
import type { RefundQueueQuery as QueueResult, RefundRequestStatus, UserPaymentsQuery as UserPaymentsResult } from "./gql/graphql";
import { Modal } from "./Modal";
import { DecideRefundMutation, RefundQueueQuery, UserPaymentsQuery } from "./operations";
import { isStaff, useSession } from "./session";

const PAGE = 10;
type Filter = RefundRequestStatus | "ALL";
type Request = QueueResult["refundRequests"]["edges"][number]["node"];
const FILTERS: [Filter, string][] = [["OPEN", "Open"], ["APPROVED", "Approved"], ["REJECTED", "Rejected"], ["FAILED", "Failed"], ["ALL", "All"]];
const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "—");

/** Support and admin: the refund-request queue and a user's payments. The link shows only for
 * staff; anyone else opening the route is told no (and the API refuses them regardless). */
export function StaffPage() {
  const session = useSession();
  const [userId, setUserId] = useState<string | null>(null);
  if (session.state === "loading") return <p role="status">Loading…</p>;
  if (!isStaff(session)) {
    return (
      <>
        <h1>Support</h1>
        <p role="alert" className="error">You are not allowed to see this page: it is for support staff.</p>
      </>
    );
  }
  return (
    <>
      <h1>Support</h1>
      <Queue onUser={setUserId} />
      <UserLookup userId={userId} onUser={setUserId} />
    </>
  );
}

function Queue(props: { onUser: (id: string) => void }) {
  const [filter, setFilter] = useState<Filter>("OPEN");
  const [pages, setPages] = useState<QueueResult["refundRequests"][]>([]);
  const [error, setError] = useState<string | null>(null);
  const [deciding, setDeciding] = useState<Request | null>(null);
  const load = useCallback((after: string | null) => {
    setError(null);
    if (!after) setPages([]);
    request(RefundQueueQuery, { status: filter === "ALL" ? null : filter, first: PAGE, after }).then(
      (r) => setPages((p) => [...(after ? p : []), r.refundRequests]),
      (e: unknown) => setError(errorWords(e)),
    );
  }, [filter]);
  useEffect(() => load(null), [load]);
  const last = pages[pages.length - 1];
  const requests = pages.flatMap((p) => p.edges.map((e) => e.node));
  return (
    <section className="card" aria-label="Refund requests">
      <div className="row spread">
        <h2>Refund requests</h2>
        <label className="inline">
          Status
          <select value={filter} onChange={(e) => setFilter(e.target.value as Filter)}>
            {FILTERS.map(([value, name]) => <option key={value} value={value}>{name}</option>)}
          </select>
        </label>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {!last && !error && <p role="status">Loading…</p>}
      {last && requests.length === 0 && <p className="muted">No {filter === "ALL" ? "" : filter.toLowerCase() + " "}requests.</p>}
      <ul className="payments">
        {requests.map((r) => <QueueRow key={r.id} request={r} onDecide={() => setDeciding(r)} onUser={() => props.onUser(r.userId)} />)}
      </ul>
      {last?.pageInfo.hasNextPage && <button onClick={() => load(last.pageInfo.endCursor ?? null)}>Show more</button>}
      {deciding && <DecideDialog request={deciding} onClose={() => setDeciding(null)} onDone={() => { setDeciding(null); load(null); }} />}
    </section>
  );
}

function QueueRow(props: { request: Request; onDecide: () => void; onUser: () => void }) {
  const r = props.request;
  return (
    <li className="payment" aria-label={`Request for ${r.paymentAmount.formatted} by ${r.userId}`}>
      <div className="row">
        <span>{when(r.createdAt)}</span>
        <strong>{r.paymentAmount.formatted}</strong>
        <span className={`status ${r.status}`}>{r.status.toLowerCase()}</span>
        <span className="row-actions">
          <button className="link" onClick={props.onUser}>User’s payments</button>
          {r.status === "OPEN" && <button className="primary small-button" onClick={props.onDecide}>Decide</button>}
        </span>
      </div>
      <div className="muted small">{r.paymentId} · user {r.userId}</div>
      <div className="small">“{r.reason}”</div>
      {r.status !== "OPEN" && (
        <div className="muted small">
          {outcomeWords(r)}
          {r.note ? ` · “${r.note}”` : ""} · {r.decidedBy ?? "?"} · {when(r.decidedAt)}
        </div>
      )}
    </li>
  );
}

function outcomeWords(r: Request): string {
  if (r.status === "APPROVED") return `Refunded (${r.refundId ?? "…"})${r.accessRevoked ? ", access revoked" : ", access kept"}`;
  if (r.status === "FAILED") return `Approved, but Razorpay refused the refund (${r.failure?.code ?? "?"}): ${r.failure?.message ?? ""}`;
  return "Rejected";
}

type Draft = { approve: boolean; rupees: string; access: "KEEP" | "REVOKE_NOW"; note: string };

function DecideDialog(props: { request: Request; onClose: () => void; onDone: () => void }) {
  const r = props.request;
  const [draft, setDraft] = useState<Draft>({ approve: true, rupees: "", access: "KEEP", note: "" });
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const paise = draft.rupees.trim() ? Math.round(Number(draft.rupees) * 100) : null;
  const invalid = draft.approve ? paise !== null && !(paise >= 100 && paise <= r.paymentAmount.amount) : !draft.note.trim();
  function review(event: FormEvent) {
    event.preventDefault();
    if (!invalid) setConfirming(true);
  }
  async function decide() {
    setBusy(true);
    setError(null);
    try {
      const { decideRefundRequest: d } = await request(DecideRefundMutation, {
        id: r.id, approve: draft.approve, amount: draft.approve ? paise : null,
        access: draft.access, note: draft.note.trim() || null,
      });
      if (d.__typename === "Failure") return setError(failureWords(d));
      if (d.__typename === "RevokeIncomplete") return setError(`${d.refund.amount.formatted} was refunded, but: ${d.message} Confirm again to finish.`);
      props.onDone();
    } catch (e) {
      setError(errorWords(e));
    } finally {
      setBusy(false);
    }
  }
  const set = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));
  const what = draft.approve
    ? `Refund ${paise === null ? `whatever is left of ${r.paymentAmount.formatted}` : `₹${(paise / 100).toFixed(2)}`} to ${r.userId}, ${draft.access === "KEEP" ? "keeping their access" : "ending their access now"}?`
    : `Decline the request of ${r.userId}? They will see your note.`;
  return (
    <Modal title="Decide refund request" onClose={props.onClose}>
      <p className="small">{r.paymentAmount.formatted} · {r.paymentId} · “{r.reason}”</p>
      {confirming ? (
        <>
          <p><strong>{what}</strong></p>
          {error && <p role="alert" className="error">{error}</p>}
          <div className="actions">
            <button onClick={() => setConfirming(false)} disabled={busy}>Back</button>
            <button className={draft.approve ? "primary" : "danger"} disabled={busy} onClick={() => void decide()}>
              {busy ? "Saving…" : draft.approve ? "Yes, refund" : "Yes, decline"}
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={review}>
          <fieldset className="choice">
            <legend>Decision</legend>
            <label className="inline"><input type="radio" name="decision" checked={draft.approve} onChange={() => set({ approve: true })} /> Approve</label>
            <label className="inline"><input type="radio" name="decision" checked={!draft.approve} onChange={() => set({ approve: false })} /> Reject</label>
          </fieldset>
          {draft.approve && (
            <>
              <label>
                Amount in ₹ (empty: whatever is left)
                <input inputMode="decimal" value={draft.rupees} placeholder={String(r.paymentAmount.amount / 100)} onChange={(e) => set({ rupees: e.target.value })} aria-invalid={invalid} />
              </label>
              <fieldset className="choice">
                <legend>Paid access</legend>
                <label className="inline"><input type="radio" name="access" checked={draft.access === "KEEP"} onChange={() => set({ access: "KEEP" })} /> Keep</label>
                <label className="inline"><input type="radio" name="access" checked={draft.access === "REVOKE_NOW"} onChange={() => set({ access: "REVOKE_NOW" })} /> Revoke now</label>
              </fieldset>
            </>
          )}
          <label>
            {draft.approve ? "Note to the user (optional)" : "Note to the user (required)"}
            <textarea rows={3} maxLength={500} required={!draft.approve} value={draft.note} onChange={(e) => set({ note: e.target.value })} />
          </label>
          {draft.approve && invalid && <p className="error small">Between ₹1 and {r.paymentAmount.formatted}.</p>}
          <div className="actions">
            <button type="button" onClick={props.onClose}>Cancel</button>
            <button className="primary" disabled={invalid}>Review</button>
          </div>
        </form>
      )}
    </Modal>
  );
}

function UserLookup(props: { userId: string | null; onUser: (id: string) => void }) {
  const [typed, setTyped] = useState("");
  useEffect(() => setTyped(props.userId ?? ""), [props.userId]);
  return (
    <section className="card" aria-label="A user's payments">
      <h2>A user’s payments</h2>
      <form className="row lookup" onSubmit={(e) => { e.preventDefault(); if (typed.trim()) props.onUser(typed.trim()); }}>
        <label className="grow">User id<input value={typed} onChange={(e) => setTyped(e.target.value)} /></label>
        <button>Show</button>
      </form>
      {props.userId && <UserPayments key={props.userId} userId={props.userId} />}
    </section>
  );
}

function UserPayments(props: { userId: string }) {
  const [pages, setPages] = useState<UserPaymentsResult["payments"][]>([]);
  const [error, setError] = useState<string | null>(null);
  const more = useCallback((after: string | null) => {
    request(UserPaymentsQuery, { userId: props.userId, first: PAGE, after }).then(
      (r) => setPages((p) => [...(after ? p : []), r.payments]),
      (e: unknown) => setError(errorWords(e)),
    );
  }, [props.userId]);
  useEffect(() => more(null), [more]);
  const last = pages[pages.length - 1];
  const payments = pages.flatMap((p) => p.edges.map((e) => e.node));
  return (
    <>
      {error && <p role="alert" className="error">{error}</p>}
      {!last && !error && <p role="status">Loading…</p>}
      {last && payments.length === 0 && <p className="muted">No payments for this user.</p>}
      <ul className="payments">
        {payments.map((p) => (
          <li key={p.id} className="payment">
            <div className="row">
              <span>{when(p.createdAt)}</span>
              <strong>{p.amount.formatted}</strong>
              <span className={`status ${p.status}`}>{p.status.replace("_", " ")}</span>
              <span className="muted small">{p.id}</span>
            </div>
            <div className="muted small">{p.method}{p.cardLast4 ? ` ···· ${p.cardLast4}` : ""}{p.failureReason ? ` · ${p.failureReason}` : ""} · refunded {p.refunded.formatted}</div>
            {p.refunds.map((f) => (
              <div key={f.id} className="refund small">Refund {f.amount.formatted} · {f.status} · {when(f.createdAt)}{f.requestedBy ? ` · by ${f.requestedBy}` : ""}</div>
            ))}
          </li>
        ))}
      </ul>
      {last?.pageInfo.hasNextPage && <button onClick={() => more(last.pageInfo.endCursor ?? null)}>Show more</button>}
    </>
  );
}
