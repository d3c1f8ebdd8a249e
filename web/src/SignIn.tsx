import { useState, type FormEvent } from "react";
import { keepToken } from "./api";

const ROLES = { free: [], support: ["support"], admin: ["admin"] } as const;
type Role = keyof typeof ROLES;

/** Development only: POST /dev/token mints a token for whoever is named here. In production
 * the host product gives the app its user's token, and this page is never shown. */
export function SignIn(props: { onSignedIn: () => void }) {
  const [email, setEmail] = useState("user-1@example.com");
  const [role, setRole] = useState<Role>("free");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const response = await fetch("/dev/token", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ subject: email.split("@")[0] || email, email, roles: ROLES[role] }),
      });
      const body = (await response.json()) as { token?: string; error?: string };
      if (!body.token) throw new Error(body.error ?? `The service answered ${response.status}.`);
      keepToken(body.token);
      props.onSignedIn();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="signin">
      <form onSubmit={submit} className="card">
        <h1>Sign in (development)</h1>
        <p className="muted">Mints a token for this user through the service's dev-only endpoint.</p>
        <label>
          Email
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <option value="free">User</option>
            <option value="support">Support</option>
            <option value="admin">Admin</option>
          </select>
        </label>
        {error && <p role="alert" className="error">{error}</p>}
        <button className="primary" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
      </form>
    </main>
  );
}
