import { keepToken } from "./api";
import { isPro, isStaff, singleOffer, useSession } from "./session";
import { Meter } from "./Usage";

export function Sidebar(props: {
  route: string;
  go: (path: string) => void;
  onUpgrade: () => void;
  theme: string;
  onTheme: () => void;
}) {
  const session = useSession();
  const viewer = session.data?.viewer;
  const plan = session.data?.entitlements.plan;
  const offer = singleOffer(session);
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">Acme Studio</div>
      <a href="/" aria-current={props.route === "/" ? "page" : undefined} onClick={link(props.go, "/")}>Projects</a>
      <a href="/pricing" aria-current={props.route === "/pricing" ? "page" : undefined} onClick={link(props.go, "/pricing")}>Plans</a>
      <a href="/credits" aria-current={props.route === "/credits" ? "page" : undefined} onClick={link(props.go, "/credits")}>Credits</a>
      <a href="/billing" aria-current={props.route === "/billing" ? "page" : undefined} onClick={link(props.go, "/billing")}>Billing</a>
      {isStaff(session) && (
        <a href="/staff" aria-current={props.route === "/staff" ? "page" : undefined} onClick={link(props.go, "/staff")}>Support</a>
      )}
      <div className="spacer" />
      {session.state === "ready" && (session.data?.entitlements.limits.length ?? 0) > 0 && (
        <section className="meters" aria-label="Usage">
          {session.data?.entitlements.limits.map((l) => <Meter key={l.feature} limit={l} compact />)}
        </section>
      )}
      <section className="user" aria-label="Account">
        <div className="who">{viewer?.email ?? viewer?.id ?? "…"}</div>
        <button className="link" onClick={() => { keepToken(null); location.assign("/"); }}>Sign out</button>
      </section>
      <div className="plan-slot">
        {session.state !== "ready" ? (
          <div className="placeholder" aria-hidden="true" />
        ) : isPro(session) ? (
          <span className="badge" aria-label={`Plan: ${plan?.name}`}>{plan?.name}</span>
        ) : (
          <button className="primary upgrade" onClick={props.onUpgrade}>
            {offer ? `Upgrade to ${offer.name}` : "Upgrade"}
          </button>
        )}
      </div>
      <button className="theme" onClick={props.onTheme} aria-label={`Switch to ${props.theme === "dark" ? "light" : "dark"} theme`}>
        {props.theme === "dark" ? "☀ Light theme" : "☾ Dark theme"}
      </button>
    </nav>
  );
}

function link(go: (path: string) => void, path: string) {
  return (event: React.MouseEvent) => {
    event.preventDefault();
    go(path);
  };
}
