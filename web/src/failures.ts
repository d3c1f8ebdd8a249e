import { ApiError } from "./api";
import type { FailureCode } from "./gql/graphql";

// The API's typed failures in the words a person reads; its own message is the fallback.
const WORDS: Partial<Record<FailureCode, string>> = {
  NOT_FOUND: "That payment or request no longer exists.",
  NOT_PAID: "Only a captured payment can be refunded.",
  NOTHING_TO_REFUND: "Nothing of this payment is left to refund.",
  REFUND_REQUEST_OPEN: "A refund request for this payment is already waiting for a decision.",
  REFUND_REQUEST_DECIDED: "This request was already decided differently.",
  REFUND_EXCEEDS_CAPTURED: "That is more than is left to refund of this payment.",
  INVALID_AMOUNT: "The amount must be at least ₹1 and at most what is left to refund.",
  PAYMENT_NOT_LINKED: "This payment is not linked to a subscription yet, so access cannot be revoked. Try again in a minute.",
  GATEWAY_UNAVAILABLE: "Razorpay could not be reached. Nothing was changed; try again shortly.",
  GATEWAY_REJECTED: "Razorpay refused it.",
  SAME_PLAN: "You are already on that plan and period.",
  CHANGE_IN_FLIGHT: "Another plan change is already under way: finish or take it back first.",
  CHANGE_PAYMENT_FAILED: "Razorpay could not charge the difference, so nothing changed.",
  UNKNOWN_PACK: "That credit pack is no longer sold.",
  TRIAL_USED: "The trial was already used on this account or email.",
};

export function failureWords(failure: { code: FailureCode; message: string }): string {
  return WORDS[failure.code] ?? failure.message;
}

/** A thrown error (a GraphQL error with `extensions.code`, or the network) in words. */
export function errorWords(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "FORBIDDEN") return "You are not allowed to do this.";
    if (error.code === "RATE_LIMITED") return `Too many attempts. ${error.message}`;
    return error.message;
  }
  return "The service could not be reached. Check your connection and try again.";
}
