// Shows an area only to the role it is for; anybody else is sent to sign in or told so. The
// API enforces the same rule on every request: this only spares a page of errors.
import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { useSession } from "../session";
import { Alert, Loading } from "../ui";

export function RoleGate({ role, children }: { role: "partner" | "admin"; children: ReactNode }) {
  const { user, ready } = useSession();
  const location = useLocation();
  if (!ready) return <Loading label="Checking your account…" />;
  if (!user) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/sign-in?next=${next}`} replace />;
  }
  if (user.role !== role) {
    return <Alert kind="error">This area is for {role === "partner" ? "partner staff" : "Marquee staff"}.</Alert>;
  }
  return <>{children}</>;
}
