import { useCallback, useEffect, useState } from "react";
import { currentToken } from "./api";
import { BillingPage } from "./BillingPage";
import { CreditsPage } from "./CreditsPage";
import { GITHUB_IMPORT, ImportDialog } from "./ImportDialog";
import { PricingPage } from "./PricingPage";
import { SessionContext, singleOffer, useSession, useViewer, type Offer } from "./session";
import { StaffPage } from "./StaffPage";
import { Sidebar } from "./Sidebar";
import { SignIn } from "./SignIn";
import { UpgradeModal } from "./UpgradeModal";
import { UsageCard } from "./Usage";

export function App() {
  const [signedIn, setSignedIn] = useState(currentToken() !== null);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  return <SignedIn />;
}

function SignedIn() {
  const session = useViewer();
  const [route, setRoute] = useState(location.pathname);
  const [dialog, setDialog] = useState<"import" | null>(null);
  const [buying, setBuying] = useState<{ offer: Offer; fromPricing: boolean } | null>(null);
  const [theme, setTheme] = useState(localStorage.getItem("billing.theme") ?? "light");
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem("billing.theme", theme);
  }, [theme]);
  useEffect(() => {
    const onPop = () => setRoute(location.pathname);
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);
  const go = useCallback((path: string) => {
    history.pushState(null, "", path);
    setRoute(path);
  }, []);
  // One offer (the default catalog's Pro): "Upgrade" sells it at once; a choice: the pricing page.
  const upgrade = () => {
    setDialog(null);
    const offer = singleOffer(session);
    if (offer) setBuying({ offer, fromPricing: false });
    else go("/pricing");
  };
  // From a limit's prompt: a free user buys the plan it names; a paying one changes plan on Plans.
  const upgradeTo = (offer: Offer) => {
    const trialDays = session.data?.plans.find((p) => p.code === offer.code)?.trialDays;
    if ((session.data?.entitlements.plan.rank ?? 0) === 0) setBuying({ offer: { ...offer, trialDays }, fromPricing: false });
    else go("/pricing");
  };
  return (
    <SessionContext.Provider value={session}>
      <div className="layout">
        <Sidebar route={route} go={go} onUpgrade={upgrade} theme={theme}
          onTheme={() => setTheme(theme === "dark" ? "light" : "dark")} />
        <main className="content">
          {session.state === "error" && <p role="alert" className="error">{session.error}</p>}
          {route === "/billing" ? <BillingPage onUpgrade={upgrade} />
            : route === "/credits" ? <CreditsPage />
            : route === "/pricing" ? <PricingPage onChoose={(offer) => setBuying({ offer, fromPricing: true })} />
            : route === "/staff" ? <StaffPage />
            : <Projects onImport={() => setDialog("import")} onUpgrade={upgradeTo} />}
        </main>
      </div>
      {dialog === "import" && <ImportDialog onClose={() => setDialog(null)} onUpgrade={upgrade} />}
      {buying && <UpgradeModal offer={buying.offer} fromPricing={buying.fromPricing} onClose={() => setBuying(null)} />}
    </SessionContext.Provider>
  );
}

function Projects(props: { onImport: () => void; onUpgrade: (offer: Offer) => void }) {
  const session = useSession();
  // Offered only where the catalog sells the feature (the tier example has no GitHub import).
  const importable = session.data?.entitlements.features.some((f) => f.feature === GITHUB_IMPORT);
  return (
    <>
      <h1>Projects</h1>
      <p className="muted">Your projects appear here.</p>
      {importable && <button onClick={props.onImport}>Import from GitHub</button>}
      <UsageCard onUpgrade={props.onUpgrade} />
    </>
  );
}
