import { request } from "./api";
import type { FunnelEvent } from "./gql/graphql";
import { RecordFunnelMutation } from "./operations";

/** Reports a step of the upgrade funnel to the API's metrics. Fire and forget: a lost or
 * rate-limited report must never stand in the way of paying. */
export function track(event: FunnelEvent, labels: { plan?: string; pack?: string } = {}): void {
  request(RecordFunnelMutation, { event, plan: labels.plan ?? null, pack: labels.pack ?? null }).catch(() => undefined);
}
