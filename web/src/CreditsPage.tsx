import { useCallback, useEffect, useState } from "react";
import { request } from "./api";
import { BuyCreditsModal } from "./BuyCreditsModal";
import { errorWords } from "./failures";
import type { CreditsQuery as CreditsResult } from "./gql/graphql";
import { CreditsQuery } from "./operations";

const PAGE = 10;
type Entry = CreditsResult["credits"]["history"][number];
const KIND_WORDS: Record<Entry["kind"], string> = {
  GRANT: "Bought",
  SPEND: "Spent",
  CLAWBACK: "Taken back (refund)",
  CLAWBACK_REVERSED: "Given back (the refund failed)",
  ADJUSTMENT: "Adjusted by support",
  EXPIRY: "Expired",
};

/** The viewer's credits: the balance, what expires soon, the ledger, and buying a pack. */
export function CreditsPage() {
  const [account, setAccount] = useState<CreditsResult["credits"] | null>(null);
  const [packNames, setPackNames] = useState(new Map<string, string>());
  const [entries, setEntries] = useState<Entry[]>([]);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [buying, setBuying] = useState(false);
  const load = useCallback(async (after: string | null) => {
    try {
      const { credits, creditPacks } = await request(CreditsQuery, { first: PAGE + 1, after });
      setAccount(credits);
      setPackNames(new Map(creditPacks.map((p) => [p.code, p.name])));
      setEntries((shown) => [...(after ? shown : []), ...credits.history.slice(0, PAGE)]);
      setMore(credits.history.length > PAGE);
      setError(null);
    } catch (e) {
      setError(errorWords(e));
    }
  }, []);
  useEffect(() => void load(null), [load]);
  return (
    <>
      <h1>Credits</h1>
      {error && <p role="alert" className="error">{error}</p>}
      {!account && !error && <p role="status">Loading…</p>}
      {account && (
        <section className="card" aria-label="Credit balance">
          <div className="row">
            <p className="balance grow"><strong>{account.balance.toLocaleString()}</strong> credits</p>
            <button className="primary" onClick={() => setBuying(true)}>Buy credits</button>
          </div>
          {account.expiringSoon > 0 && <p className="small muted">{account.expiringSoon} expire within 7 days.</p>}
        </section>
      )}
      {account && (
        <section className="card" aria-label="Credit history">
          <h2>History</h2>
          {entries.length === 0 && <p className="muted">No credits yet.</p>}
          <ul className="payments">
            {entries.map((e) => (
              <li key={e.cursor} className="payment row">
                <span>{new Date(e.at).toLocaleDateString(undefined, { dateStyle: "medium" })}</span>
                <span className="grow">{KIND_WORDS[e.kind]}{e.pack ? ` · ${packNames.get(e.pack) ?? e.pack}` : ""}{e.reason ? ` · ${e.reason}` : ""}</span>
                <strong>{e.amount > 0 ? `+${e.amount}` : e.amount}</strong>
                <span className="muted small">balance {e.balanceAfter}</span>
              </li>
            ))}
          </ul>
          {more && <button onClick={() => void load(entries[entries.length - 1].cursor)}>Show more</button>}
        </section>
      )}
      {buying && <BuyCreditsModal onClose={() => setBuying(false)} onBought={() => void load(null)} />}
    </>
  );
}
