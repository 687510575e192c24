import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, RouterProvider } from "react-router";
import { Shell } from "./App";
import { I18nProvider } from "./i18n";
import { Home } from "./pages/Home";
import { NotFound } from "./pages/NotFound";
import { SessionProvider } from "./session";
import "./ui/styles.css";

// Pages other than the home page load on demand: the first page stays small.
// Partner and admin areas add their routes here (lazy too), under /partner and /admin.
const router = createBrowserRouter([
  {
    path: "/",
    element: <Shell />,
    children: [
      { index: true, element: <Home /> },
      { path: "movies/:movieId", lazy: () => import("./pages/Movie").then(asRoute) },
      { path: "shows/:showId", lazy: () => import("./pages/SeatMapPage").then(asRoute) },
      { path: "checkout/:holdId", lazy: () => import("./pages/Checkout").then(asRoute) },
      { path: "bookings", lazy: () => import("./pages/MyBookings").then(asRoute) },
      { path: "bookings/:bookingId", lazy: () => import("./pages/BookingPage").then(asRoute) },
      { path: "sign-in", lazy: () => import("./pages/Auth").then((m) => ({ Component: m.SignIn })) },
      { path: "sign-up", lazy: () => import("./pages/Auth").then((m) => ({ Component: m.SignUp })) },
      {
        path: "forgot-password",
        lazy: () => import("./pages/Auth").then((m) => ({ Component: m.ForgotPassword })),
      },
      {
        path: "reset-password",
        lazy: () => import("./pages/Auth").then((m) => ({ Component: m.ResetPassword })),
      },
      { path: "partner/*", lazy: () => import("./partner/PartnerArea").then(asRoute) },
      { path: "admin/*", lazy: () => import("./admin/AdminArea").then(asRoute) },
      { path: "*", element: <NotFound /> },
    ],
  },
]);

function asRoute(module: { default: React.ComponentType }) {
  return { Component: module.default };
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <I18nProvider>
      <SessionProvider>
        <RouterProvider router={router} />
      </SessionProvider>
    </I18nProvider>
  </StrictMode>,
);
