// The admin panel: analytics over every theatre, the sync-conflict queue and dead letters.
// Routes under /admin.
import { NavLink, Route, Routes } from "react-router";
import { Dashboard } from "../partner/Dashboard";
import { RoleGate } from "../partner/RoleGate";
import { ConnectorDetail } from "./ConnectorDetail";
import { Conflicts } from "./Conflicts";
import { DeadLetters } from "./DeadLetters";
import { MappingEditor } from "./MappingEditor";
import { AuditLog, Connectors, Users } from "./Operations";
import { Partners } from "./Partners";
import { BookingSearch, Flags, PaymentsAttention } from "./Support";
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
          <NavLink to="/admin/connectors">Connectors</NavLink>
          <NavLink to="/admin/users">Users</NavLink>
          <NavLink to="/admin/partners">Partners</NavLink>
          <NavLink to="/admin/audit-log">Audit log</NavLink>
          <NavLink to="/admin/bookings">Bookings</NavLink>
          <NavLink to="/admin/payments">Payments</NavLink>
          <NavLink to="/admin/flags">Feature flags</NavLink>
        </nav>
        <div>
          <Routes>
            <Route index element={<Dashboard area="admin" />} />
            <Route path="conflicts" element={<Conflicts />} />
            <Route path="dead-letters" element={<DeadLetters />} />
            <Route path="connectors" element={<Connectors />} />
            <Route path="connectors/:connectorId" element={<ConnectorDetail />} />
            <Route path="connectors/:connectorId/mapping" element={<MappingEditor />} />
            <Route path="users" element={<Users />} />
            <Route path="partners" element={<Partners />} />
            <Route path="audit-log" element={<AuditLog />} />
            <Route path="bookings" element={<BookingSearch />} />
            <Route path="payments" element={<PaymentsAttention />} />
            <Route path="flags" element={<Flags />} />
          </Routes>
        </div>
      </div>
    </RoleGate>
  );
}
