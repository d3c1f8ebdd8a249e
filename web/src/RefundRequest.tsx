import { useState, type FormEvent } from "react";
import { request } from "./api";
import { errorWords, failureWords } from "./failures";
import type { PaymentsQuery as PaymentsResult, RefundRequestFieldsFragment } from "./gql/graphql";
import { Modal } from "./Modal";
import { RequestRefundMutation } from "./operations";

export type Payment = PaymentsResult["paymentHistory"]["edges"][number]["node"];
const MIN_REFUND_PAISE = 100;
const MAX_REASON = 500;

/** Whether the owner may ask: captured, something left to refund, and no request waiting. */
export function canRequestRefund(p: Payment): boolean {
  const left = p.amount.amount - p.refunded.amount;
  return p.status === "captured" && left >= MIN_REFUND_PAISE && !p.refundRequests.some((r) => r.status === "OPEN");
}

export function RequestRefundButton(props: { payment: Payment; onRequested: () => void }) {
  const [open, setOpen] = useState(false);
  if (!canRequestRefund(props.payment)) return null;
  return (
    <>
      <button className="small-button" onClick={() => setOpen(true)}>Request refund</button>
      {open && (
        <RequestRefundDialog payment={props.payment} onClose={() => setOpen(false)}
          onDone={() => { setOpen(false); props.onRequested(); }} />
      )}
    </>
  );
}

function RequestRefundDialog(props: { payment: Payment; onClose: () => void; onDone: () => void }) {
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { requestRefund: r } = await request(RequestRefundMutation, { paymentId: props.payment.id, reason: reason.trim() });
      if (r.__typename === "Failure") setError(failureWords(r));
      else props.onDone();
    } catch (e) {
      setError(errorWords(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal title="Request a refund" onClose={props.onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <p>Ask our support team to refund your payment of <strong>{props.payment.amount.formatted}</strong>. They decide, usually within two working days; you will see the answer here.</p>
        <label>
          Why would you like a refund?
          <textarea data-autofocus required maxLength={MAX_REASON} rows={4} value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        {error && <p role="alert" className="error">{error}</p>}
        <div className="actions">
          <button type="button" onClick={props.onClose}>Never mind</button>
          <button className="primary" disabled={busy || !reason.trim()}>{busy ? "Sending…" : "Send request"}</button>
        </div>
      </form>
    </Modal>
  );
}

/** The newest request's answer, where the owner looks for it: on the payment. */
export function RequestStatus(props: { requests: RefundRequestFieldsFragment[]; refunds: Payment["refunds"] }) {
  const latest = props.requests[0];
  if (!latest) return null;
  if (latest.status === "OPEN") {
    return <div className="request small" role="status">Refund requested · waiting for support</div>;
  }
  if (latest.status === "APPROVED") {
    const refund = props.refunds.find((r) => r.id === latest.refundId);
    return (
      <div className="request small success" role="status">
        Refund approved{refund ? `: ${refund.amount.formatted} refunded` : ""}{latest.accessRevoked ? " · paid access ended" : ""}
        {latest.note ? ` · “${latest.note}”` : ""}
      </div>
    );
  }
  if (latest.status === "FAILED") {
    return <div className="request small error" role="status">Refund could not be made: {latest.failure?.message}</div>;
  }
  return <div className="request small error" role="status">Refund request declined: “{latest.note}”</div>;
}
