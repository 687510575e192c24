// The admin panel: analytics over every theatre, the sync-conflict queue and dead letters.
// Routes under /admin.
import { NavLink, Route, Routes } from "react-router";
import { Dashboard } from "../partner/Dashboard";
import { RoleGate } from "../partner/RoleGate";
import { Conflicts } from "./Conflicts";
import { DeadLetters } from "./DeadLetters";
import "../partner/portal.css";

export default function AdminArea() {
  return (
    <RoleGate role="admin">
      <div className="area">
        <nav className="area-nav" aria-label="Admin panel">
          <NavLink to="/admin" end>
            Analytics
          </NavLink>
          <NavLink to="/admin/conflicts">Sync conflicts</NavLink>
          <NavLink to="/admin/dead-letters">Dead letters</NavLink>
        </nav>
        <div>
          <Routes>
            <Route index element={<Dashboard area="admin" />} />
            <Route path="conflicts" element={<Conflicts />} />
            <Route path="dead-letters" element={<DeadLetters />} />
          </Routes>
        </div>
      </div>
    </RoleGate>
  );
}
