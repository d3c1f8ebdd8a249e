import { createContext, useCallback, useContext, useEffect, useState } from "react";
import { ApiError, request } from "./api";
import type { Period, ViewerQuery as ViewerResult } from "./gql/graphql";
import { ViewerQuery } from "./operations";

export type Session = {
  state: "loading" | "ready" | "error";
  data: ViewerResult | null;
  error: string | null;
  /** Reads the viewer again; what it read, or null when that failed. */
  refetch: () => Promise<ViewerResult | null>;
};

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("no session");
  return session;
}

/** The viewer and their entitlements: plan-dependent UI waits for them (no flash of Free). */
export function useViewer(): Session {
  const [data, setData] = useState<ViewerResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refetch = useCallback(async () => {
    try {
      const read = await request(ViewerQuery);
      setData(read);
      setError(null);
      return read;
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "The service could not be reached.");
      return null;
    }
  }, []);
  useEffect(() => {
    void refetch();
  }, [refetch]);
  const state = data ? "ready" : error ? "error" : "loading";
  return { state, data, error, refetch };
}

export function isPro(session: Session): boolean {
  // A paid plan is any above the catalog's first (free) one.
  return (session.data?.entitlements.plan.rank ?? 0) > 0;
}

/** Staff screens show for whoever may read the refund queue: a display hint; the API decides. */
export function isStaff(session: Session): boolean {
  return session.data?.viewer?.permissions.includes("refund_request:read_any") ?? false;
}

/** A plan at a price the user can buy: what the upgrade modal sells. */
export type Offer = { code: string; name: string; period: Period; price: string; trialDays?: number };

export const PER: Record<Period, string> = { MONTHLY: "month", YEARLY: "year" };

/** The catalog's only offer (one paid plan at one price, as in the default catalog), which the
 * "Upgrade to Pro" buttons sell directly; null when there is a choice to make on the pricing page. */
export function singleOffer(session: Session): Offer | null {
  const paid = session.data?.plans.filter((p) => p.rank > 0) ?? [];
  if (paid.length !== 1 || paid[0].prices.length !== 1) return null;
  const [plan] = paid;
  const [price] = plan.prices;
  return { code: plan.code, name: plan.name, period: price.period, price: price.price.formatted, trialDays: plan.trialDays };
}
