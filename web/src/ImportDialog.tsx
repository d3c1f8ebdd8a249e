import { useEffect, useState, type FormEvent } from "react";
import { ApiError, request } from "./api";
import type { CanImportQuery as CanImportResult } from "./gql/graphql";
import { Modal } from "./Modal";
import { CanImportQuery, StartImportMutation } from "./operations";
import { singleOffer, useSession, type Session } from "./session";

/** The catalog code of the feature this dialog sells access to. */
export const GITHUB_IMPORT = "github_import";

/** What the viewer may do here: import; upgrade to the plan named; or nothing, as no plan has it. */
type Gate = { kind: "allowed" } | { kind: "upgrade"; feature: string; plan: string } | { kind: "none"; message: string };

/** The form for users whose plan includes the feature; in its place, the upgrade prompt naming the
 * plan that does (from the catalog). The API decides (canUse for display; UPGRADE_REQUIRED from
 * the mutation is treated the same way). */
export function ImportDialog(props: { onClose: () => void; onUpgrade: () => void }) {
  const session = useSession();
  const [gate, setGate] = useState<Gate | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    request(CanImportQuery)
      .then((r) => setGate(gateOf(r.canUse, session)))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [session.data?.entitlements.plan.code]);
  const refused = () => setGate({ kind: "upgrade", feature: "GitHub import", plan: planName(session, null) });
  return (
    <Modal title="Import from GitHub" onClose={props.onClose}>
      {error && <p role="alert" className="error">{error}</p>}
      {gate === null && !error && <p role="status">Loading…</p>}
      {gate?.kind === "upgrade" && <UpgradePrompt gate={gate} session={session} onUpgrade={props.onUpgrade} />}
      {gate?.kind === "none" && <p className="muted">{gate.message}</p>}
      {gate?.kind === "allowed" && <ImportForm onGated={refused} />}
    </Modal>
  );
}

type CanUse = CanImportResult["canUse"];

function gateOf(answer: CanUse, session: Session): Gate {
  if (answer.__typename === "FeatureAccess") {
    if (answer.allowed) return { kind: "allowed" };
    if (answer.requiredPlan) return { kind: "upgrade", feature: answer.name, plan: planName(session, answer.requiredPlan) };
    return { kind: "none", message: `${answer.name} is not part of any plan.` };
  }
  return { kind: "none", message: "GitHub import is not offered here." }; // not in the catalog
}

/** The plan's name from the catalog; without a code, the cheapest paid plan's. */
function planName(session: Session, code: string | null): string {
  const plans = session.data?.plans ?? [];
  const plan = code ? plans.find((p) => p.code === code) : plans.find((p) => p.rank > 0);
  return plan?.name ?? code ?? "a paid plan";
}

function UpgradePrompt(props: { gate: Extract<Gate, { kind: "upgrade" }>; session: Session; onUpgrade: () => void }) {
  const offer = singleOffer(props.session);
  return (
    <div className="gate">
      <p><strong>{props.gate.feature} is a {props.gate.plan} feature.</strong> Upgrade to import repositories.</p>
      <button className="primary" onClick={props.onUpgrade}>{offer ? `Upgrade to ${offer.name}` : "See plans"}</button>
    </div>
  );
}

function ImportForm(props: { onGated: () => void }) {
  const [url, setUrl] = useState("");
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const { startGithubImport: i } = await request(StartImportMutation, { url });
      setResult(`Import of ${i.owner}/${i.repository} is ${i.status.toLowerCase()}.`);
    } catch (e) {
      if (e instanceof ApiError && e.code === "UPGRADE_REQUIRED") return props.onGated();
      setError(e instanceof Error ? e.message : String(e));
    }
  }
  return (
    <form onSubmit={submit} className="import-form">
      <label>
        Repository URL
        <input required value={url} placeholder="https://github.com/owner/repo" onChange={(e) => setUrl(e.target.value)} />
      </label>
      {error && <p role="alert" className="error">{error}</p>}
      {result && <p role="status" className="success">{result}</p>}
      <button className="primary">Import</button>
    </form>
  );
}
