import { useEffect, useState } from "react";
import { Link, Navigate } from "react-router";
import { api, type Schemas } from "../api/client";
import { formatMoney } from "../api/money";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { useSession } from "../session";
import { Loading } from "../ui";

export default function MyBookings() {
  const { t, locale } = useI18n();
  const { user, ready } = useSession();
  const [items, setItems] = useState<Schemas["BookingOut"][] | null>(null);
  useEffect(() => {
    if (!user) return;
    void api.GET("/v1/bookings", { params: { query: { limit: 50 } } }).then(({ data }) => {
      setItems(data?.items ?? []);
    });
  }, [user]);
  if (ready && !user) return <Navigate to="/sign-in?next=/bookings" replace />;
  if (!items) return <Loading label={t("common.loading")} />;
  return (
    <div className="stack">
      <h1>{t("nav.bookings")}</h1>
      {items.length === 0 && <p>{t("book.none")}</p>}
      {items.length > 0 && (
        <table className="plain">
          <thead>
            <tr>
              <th scope="col">{t("book.reference")}</th>
              <th scope="col">{t("book.seats")}</th>
              <th scope="col">{t("pay.total")}</th>
              <th scope="col">{t("book.status")}</th>
              <th scope="col">
                <span className="sr-only">{t("book.view")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((b) => (
              <tr key={b.id}>
                <td>{b.code}</td>
                <td>{b.tickets.map((x) => x.label).join(", ")}</td>
                <td>{formatMoney(b.total, locale)}</td>
                <td>{t(`book.status.${b.status}` as MessageKey) || b.status}</td>
                <td>
                  <Link to={`/bookings/${b.id}`} aria-label={`${t("book.view")} ${b.code}`}>
                    {t("book.view")}
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
