import { useEffect, useState, type FormEvent } from "react";
import { ApiError, request } from "./api";
import { Modal } from "./Modal";
import { CanImportQuery, StartImportMutation } from "./operations";
import { useSession } from "./session";

/** The form for Pro users; the upgrade prompt in its place for everyone else. The API decides
 * (canUse for display; UPGRADE_REQUIRED from the mutation is treated the same way). */
export function ImportDialog(props: { onClose: () => void; onUpgrade: () => void }) {
  const session = useSession();
  const [allowed, setAllowed] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    request(CanImportQuery)
      .then((r) => setAllowed(r.canUse.__typename === "FeatureAccess" && r.canUse.allowed))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [session.data?.entitlements.plan.code]);
  return (
    <Modal title="Import from GitHub" onClose={props.onClose}>
      {error && <p role="alert" className="error">{error}</p>}
      {allowed === null && !error && <p role="status">Loading…</p>}
      {allowed === false && <UpgradePrompt onUpgrade={props.onUpgrade} />}
      {allowed === true && <ImportForm onGated={() => setAllowed(false)} />}
    </Modal>
  );
}

function UpgradePrompt(props: { onUpgrade: () => void }) {
  return (
    <div className="gate">
      <p><strong>GitHub import is a Pro feature.</strong> Upgrade to import repositories.</p>
      <button className="primary" onClick={props.onUpgrade}>Upgrade to Pro</button>
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
