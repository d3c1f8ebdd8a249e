import { useCallback, useEffect, useState } from "react";
import { currentToken } from "./api";
import { BillingPage } from "./BillingPage";
import { ImportDialog } from "./ImportDialog";
import { SessionContext, useViewer } from "./session";
import { StaffPage } from "./StaffPage";
import { Sidebar } from "./Sidebar";
import { SignIn } from "./SignIn";
import { UpgradeModal } from "./UpgradeModal";

export function App() {
  const [signedIn, setSignedIn] = useState(currentToken() !== null);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  return <SignedIn />;
}

function SignedIn() {
  const session = useViewer();
  const [route, setRoute] = useState(location.pathname);
  const [dialog, setDialog] = useState<"import" | "upgrade" | null>(null);
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
  return (
    <SessionContext.Provider value={session}>
      <div className="layout">
        <Sidebar route={route} go={go} onUpgrade={() => setDialog("upgrade")} theme={theme}
          onTheme={() => setTheme(theme === "dark" ? "light" : "dark")} />
        <main className="content">
          {session.state === "error" && <p role="alert" className="error">{session.error}</p>}
          {route === "/billing" ? <BillingPage onUpgrade={() => setDialog("upgrade")} />
            : route === "/staff" ? <StaffPage />
            : <Projects onImport={() => setDialog("import")} />}
        </main>
      </div>
      {dialog === "import" && <ImportDialog onClose={() => setDialog(null)} onUpgrade={() => setDialog("upgrade")} />}
      {dialog === "upgrade" && <UpgradeModal onClose={() => setDialog(null)} />}
    </SessionContext.Provider>
  );
}

function Projects(props: { onImport: () => void }) {
  return (
    <>
      <h1>Projects</h1>
      <p className="muted">Your projects appear here.</p>
      <button onClick={props.onImport}>Import from GitHub</button>
    </>
  );
}
