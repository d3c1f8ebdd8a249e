import { useEffect, useState } from "react";
import { request } from "./api";
import { ChangePlanModal, type Current, type Target } from "./ChangePlanModal";
import { errorWords } from "./failures";
import { track } from "./funnel";
import type { Period, PricingQuery as PricingResult } from "./gql/graphql";
import { BillingQuery, PricingQuery } from "./operations";
import { PendingChange } from "./PendingChange";
import { PER, useSession, type Offer } from "./session";

type Plan = PricingResult["plans"][number];
const PERIODS: Period[] = ["MONTHLY", "YEARLY"];
const PERIOD_WORDS: Record<Period, string> = { MONTHLY: "Monthly", YEARLY: "Yearly" };

/** Every plan of the catalog side by side, at the chosen period; a free user picks one to buy. */
export function PricingPage(props: { onChoose: (offer: Offer) => void }) {
  const session = useSession();
  const [plans, setPlans] = useState<Plan[] | null>(null);
  const [current, setCurrent] = useState<Current | null>(null);
  const [changing, setChanging] = useState<Target | null>(null);
  const [changes, setChanges] = useState(0); // a closed change modal: read the subscription again
  const on = session.data?.entitlements.plan;
  const [error, setError] = useState<string | null>(null);
  const [period, setPeriod] = useState<Period>("MONTHLY");
  useEffect(() => track("PRICING_OPENED"), []);
  useEffect(() => {
    request(PricingQuery).then((r) => setPlans(r.plans), (e: unknown) => setError(errorWords(e)));
  }, []);
  // A paying user changes plan: what they pay now, and until when, says what a change will do.
  useEffect(() => {
    if (!on || on.rank === 0) return setCurrent(null);
    request(BillingQuery).then(({ subscription: sub }) => setCurrent({
      code: on.code, name: on.name, rank: on.rank, period: sub?.period ?? null, periodEnd: sub?.currentPeriod?.end ?? sub?.accessUntil ?? null,
    }), (e: unknown) => setError(errorWords(e)));
  }, [on?.code, on?.name, on?.rank, changes]);
  const periods = PERIODS.filter((p) => plans?.some((plan) => plan.prices.some((price) => price.period === p)));
  return (
    <>
      <h1>Plans</h1>
      {error && <p role="alert" className="error">{error}</p>}
      {session.state === "ready" && <PendingChange reload={changes} />}
      {!plans && !error && <p role="status">Loading plans…</p>}
      {periods.length > 1 && <PeriodToggle periods={periods} period={period} onChange={setPeriod} />}
      {plans && (
        <div className="tiers">
          {plans.map((plan) => <Tier key={plan.code} plan={plan} period={period} current={current} onChoose={props.onChoose} onChange={setChanging} />)}
        </div>
      )}
      {changing && current && <ChangePlanModal from={current} to={changing} onClose={() => { setChanging(null); setChanges((n) => n + 1); }} />}
    </>
  );
}

function PeriodToggle(props: { periods: Period[]; period: Period; onChange: (p: Period) => void }) {
  return (
    <fieldset className="toggle">
      <legend className="visually-hidden">Billing period</legend>
      {props.periods.map((p) => (
        <label key={p} className={p === props.period ? "on" : undefined}>
          <input type="radio" name="period" value={p} checked={p === props.period} onChange={() => props.onChange(p)} />
          {PERIOD_WORDS[p]}
        </label>
      ))}
    </fieldset>
  );
}

/** The plan's price at `period`, else at the one period it is sold at; null for a free plan. */
function priceAt(plan: Plan, period: Period) {
  return plan.prices.find((p) => p.period === period) ?? plan.prices[0] ?? null;
}

function Tier(props: { plan: Plan; period: Period; current: Current | null; onChoose: (offer: Offer) => void; onChange: (t: Target) => void }) {
  const { plan } = props;
  const session = useSession();
  const current = session.data?.entitlements.plan;
  const isCurrent = current?.code === plan.code;
  const price = priceAt(plan, props.period);
  const offer = price ? { code: plan.code, name: plan.name, period: price.period, price: price.price.formatted, trialDays: plan.trialDays } : null;
  const paying = props.current;
  const samePeriod = !paying || !price || paying.period === price.period;
  return (
    <section className={`tier${isCurrent ? " current" : ""}`} aria-labelledby={`tier-${plan.code}`}>
      <div className="tier-head">
        <h2 id={`tier-${plan.code}`}>{plan.name}</h2>
        {isCurrent && <span className="badge small">Current plan</span>}
      </div>
      <p className="price">
        {price ? <><strong>{price.price.formatted}</strong>/{PER[price.period]}</> : <strong>No charge</strong>}
      </p>
      {plan.trialDays > 0 && <p className="small muted">{plan.trialDays}-day free trial</p>}
      <ul className="included">
        {plan.limits.map((l) => <li key={l.code}>{l.name}: {l.unlimited ? "unlimited" : l.amount}{l.reset ? ` a ${l.reset.toLowerCase()}` : ""}</li>)}
        {plan.levels.map((l) => <li key={l.code}>{l.name}: {l.value.replace(/_/g, " ")}</li>)}
        {plan.features.map((f) => (
          <li key={f.code} className={f.included ? undefined : "excluded"}>
            <span aria-hidden="true">{f.included ? "✓ " : "– "}</span>
            {f.name}<span className="visually-hidden">{f.included ? ": included" : ": not included"}</span>
          </li>
        ))}
      </ul>
      {session.state === "ready" && current && current.rank === 0 && offer && !isCurrent && (
        <button className="primary" onClick={() => props.onChoose(offer)}>Choose {plan.name}</button>
      )}
      {paying && !(isCurrent && samePeriod) && (
        <button onClick={() => props.onChange({ ...(offer ?? { code: plan.code, name: plan.name, period: "MONTHLY", price: "" }), rank: plan.rank })}>
          {isCurrent ? `Switch to ${PERIOD_WORDS[price!.period].toLowerCase()}` : `Switch to ${plan.name}`}
        </button>
      )}
    </section>
  );
}
