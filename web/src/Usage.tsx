import { useState } from "react";
import { request } from "./api";
import { errorWords, failureWords } from "./failures";
import type { LimitUsageFieldsFragment as Limit, RecordUsageMutation as RecordResult } from "./gql/graphql";
import { RecordUsageMutation } from "./operations";
import { useSession, type Offer } from "./session";

type Reached = Extract<RecordResult["recordUsage"], { __typename: "LimitReached" }>;

const RESET_WORDS = { DAY: "today", MONTH: "this month" } as const;

/** "3 of 20 chats today", "1 of 5 projects", "12 projects (unlimited)". */
export function usageWords(limit: Limit): string {
  const span = limit.reset ? ` ${RESET_WORDS[limit.reset]}` : "";
  const thing = limit.name.toLowerCase();
  if (limit.unlimited) return `${limit.used} ${thing}${span} (unlimited)`;
  return `${limit.used} of ${limit.limit} ${thing}${span}`;
}

/** A bar for a limit: how much of it is used (none for an unlimited one). */
export function Meter(props: { limit: Limit; compact?: boolean }) {
  const { limit } = props;
  return (
    <div className={props.compact ? "meter compact" : "meter"}>
      <div className="meter-words">{props.compact ? <span>{limit.name}</span> : null}<span>{props.compact ? shortWords(limit) : usageWords(limit)}</span></div>
      {!limit.unlimited && limit.limit !== null && limit.limit !== undefined && (
        <meter aria-label={`${limit.name} used`} min={0} max={Math.max(limit.limit, 1)} value={limit.used}
          low={limit.limit * 0.75} high={limit.limit * 0.9} optimum={0} />
      )}
    </div>
  );
}

function shortWords(limit: Limit): string {
  return limit.unlimited ? `${limit.used} · unlimited` : `${limit.used}/${limit.limit}`;
}

/** Every limit of the viewer's plan with its meter, and a demo action that uses one more. */
export function UsageCard(props: { onUpgrade: (offer: Offer) => void }) {
  const session = useSession();
  const limits = session.data?.entitlements.limits ?? [];
  if (session.state !== "ready" || limits.length === 0) return null;
  return (
    <section className="card" aria-label="Usage">
      <h2>Usage</h2>
      <p className="muted small">
        These buttons play the product's backend: each one records a use with <code>recordUsage</code>, as the product
        would before creating the thing.
      </p>
      {limits.map((l) => <LimitRow key={l.feature} limit={l} onUpgrade={props.onUpgrade} />)}
    </section>
  );
}

function LimitRow(props: { limit: Limit; onUpgrade: (offer: Offer) => void }) {
  const session = useSession();
  const [busy, setBusy] = useState(false);
  const [reached, setReached] = useState<Reached | null>(null);
  const [error, setError] = useState<string | null>(null);
  const action = `New ${props.limit.name.toLowerCase().replace(/s$/, "")}`;
  async function use() {
    setBusy(true);
    setError(null);
    try {
      const { recordUsage: r } = await request(RecordUsageMutation, { feature: props.limit.feature, key: crypto.randomUUID() });
      if (r.__typename === "LimitReached") setReached(r);
      else if (r.__typename === "Failure") setError(failureWords(r));
      else setReached(null);
      await session.refetch();
    } catch (e) {
      setError(errorWords(e));
    } finally {
      setBusy(false);
    }
  }
  const still = reached && !props.limit.unlimited && props.limit.used >= (props.limit.limit ?? 0);
  return (
    <div className="limit" role="group" aria-label={props.limit.name}>
      <div className="row">
        <div className="grow"><Meter limit={props.limit} /></div>
        <button onClick={() => void use()} disabled={busy}>{busy ? "Working…" : action}</button>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {still && <LimitPrompt reached={reached} name={props.limit.name} onUpgrade={props.onUpgrade} />}
    </div>
  );
}

/** Where the user hit the limit: what happened, when it resets, and the plan that allows more. */
function LimitPrompt(props: { reached: Reached; name: string; onUpgrade: (offer: Offer) => void }) {
  const { reached } = props;
  const to = reached.upgradeTo;
  const resets = reached.resetsAt ? ` It starts again ${new Date(reached.resetsAt).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}.` : "";
  return (
    <div className="gate" role="alert">
      <p>
        <strong>You have used all {reached.limit} {props.name.toLowerCase()} of your plan.</strong>{resets}
        {to && to.price ? ` ${to.name} allows more, from ${to.price.formatted}/${to.period === "YEARLY" ? "year" : "month"}.` : ""}
      </p>
      {to && to.price && to.period && (
        <button className="primary" onClick={() => props.onUpgrade({ code: to.code, name: to.name, period: to.period!, price: to.price!.formatted })}>
          Upgrade to {to.name}
        </button>
      )}
    </div>
  );
}
