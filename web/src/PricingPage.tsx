import { useEffect, useState } from "react";
import { request } from "./api";
import { errorWords } from "./failures";
import { track } from "./funnel";
import type { Period, PricingQuery as PricingResult } from "./gql/graphql";
import { PricingQuery } from "./operations";
import { PER, useSession, type Offer } from "./session";

type Plan = PricingResult["plans"][number];
const PERIODS: Period[] = ["MONTHLY", "YEARLY"];
const PERIOD_WORDS: Record<Period, string> = { MONTHLY: "Monthly", YEARLY: "Yearly" };

/** Every plan of the catalog side by side, at the chosen period; a free user picks one to buy. */
export function PricingPage(props: { onChoose: (offer: Offer) => void }) {
  const [plans, setPlans] = useState<Plan[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [period, setPeriod] = useState<Period>("MONTHLY");
  useEffect(() => track("PRICING_OPENED"), []);
  useEffect(() => {
    request(PricingQuery).then((r) => setPlans(r.plans), (e: unknown) => setError(errorWords(e)));
  }, []);
  const periods = PERIODS.filter((p) => plans?.some((plan) => plan.prices.some((price) => price.period === p)));
  return (
    <>
      <h1>Plans</h1>
      {error && <p role="alert" className="error">{error}</p>}
      {!plans && !error && <p role="status">Loading plans…</p>}
      {periods.length > 1 && <PeriodToggle periods={periods} period={period} onChange={setPeriod} />}
      {plans && (
        <div className="tiers">
          {plans.map((plan) => <Tier key={plan.code} plan={plan} period={period} onChoose={props.onChoose} />)}
        </div>
      )}
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

function Tier(props: { plan: Plan; period: Period; onChoose: (offer: Offer) => void }) {
  const { plan } = props;
  const session = useSession();
  const current = session.data?.entitlements.plan;
  const isCurrent = current?.code === plan.code;
  const price = priceAt(plan, props.period);
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
      {session.state === "ready" && current && current.rank === 0 && price && !isCurrent && (
        <button className="primary" onClick={() => props.onChoose({ code: plan.code, name: plan.name, period: price.period, price: price.price.formatted })}>
          Choose {plan.name}
        </button>
      )}
    </section>
  );
}
