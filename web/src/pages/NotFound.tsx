import { Link } from "react-router";
import { useI18n } from "../i18n";

export function NotFound() {
  const { t } = useI18n();
  return (
    <div className="stack">
      <h1>{t("common.notFound")}</h1>
      <Link to="/">{t("nav.home")}</Link>
    </div>
  );
}
