// The partner portal: a theatre partner's own theatres and their sales. Routes under /partner.
import { useEffect, useState } from "react";
import { Link, NavLink, Route, Routes, useParams } from "react-router";
import { api, type Schemas } from "../api/client";
import { Alert, Card, Loading } from "../ui";
import { Dashboard } from "./Dashboard";
import LayoutEditor from "./LayoutEditor";
import Schedule from "./Schedule";
import TheatreForm from "./TheatreForm";
import { RoleGate } from "./RoleGate";
import "./portal.css";

export default function PartnerArea() {
  return (
    <RoleGate role="partner">
      <div className="area">
        <nav className="area-nav" aria-label="Partner portal">
          <NavLink to="/partner" end>
            Dashboard
          </NavLink>
          <NavLink to="/partner/theatres">Theatres</NavLink>
        </nav>
        <div>
          <Routes>
            <Route index element={<Dashboard area="partner" />} />
            <Route path="theatres" element={<Theatres />} />
            <Route path="theatres/:theatreId" element={<TheatreDashboard />} />
            <Route path="screens/:screenId/layout" element={<LayoutEditor />} />
            <Route path="theatres/:theatreId/schedule" element={<Schedule />} />
            <Route path="theatres/new" element={<TheatreForm />} />
            <Route path="theatres/:theatreId/edit" element={<TheatreForm />} />
          </Routes>
        </div>
      </div>
    </RoleGate>
  );
}

function TheatreDashboard() {
  const { theatreId } = useParams();
  return <Dashboard area="partner" theatreId={theatreId} />;
}

function Theatres() {
  const [theatres, setTheatres] = useState<Schemas["TheatreOut"][] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.GET("/v1/partner/theatres").then(({ data, error: err }) => {
      if (data) setTheatres(data.items);
      else setError(err ? "Could not load your theatres." : null);
    });
  }, []);
  if (error) return <Alert kind="error">{error}</Alert>;
  if (!theatres) return <Loading label="Loading your theatres…" />;
  return (
    <div className="stack">
      <h1>Your theatres</h1>
      <p>
        <Link to="/partner/theatres/new">Add a theatre</Link>
      </p>
      <div className="grid">
        {theatres.map((t) => (
          <Card key={t.id}>
            <h2>{t.name}</h2>
            <p className="muted">
              {t.city} · {t.timezone} · {t.currency}
            </p>
            <Link to={`/partner/theatres/${t.id}`}>Sales of {t.name}</Link>
            <Link to={`/partner/theatres/${t.id}/schedule`}>Schedule and prices of {t.name}</Link>
            <Link to={`/partner/theatres/${t.id}/edit`}>Settings of {t.name}</Link>
            <Screens theatreId={t.id} theatreName={t.name} />
          </Card>
        ))}
      </div>
    </div>
  );
}

function Screens({ theatreId, theatreName }: { theatreId: string; theatreName: string }) {
  const [screens, setScreens] = useState<Schemas["ScreenOut"][]>([]);
  useEffect(() => {
    api
      .GET("/v1/partner/theatres/{theatre_id}/screens", { params: { path: { theatre_id: theatreId } } })
      .then(({ data }) => setScreens(data ?? []));
  }, [theatreId]);
  return (
    <ul aria-label={`Screens of ${theatreName}`}>
      {screens.map((s) => (
        <li key={s.id}>
          {s.name}: <Link to={`/partner/screens/${s.id}/layout`}>Edit layout of {s.name}</Link>
        </li>
      ))}
    </ul>
  );
}
