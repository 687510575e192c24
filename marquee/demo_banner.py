"""What `marquee demo` prints once it is ready: where the web app is, who to sign in as, the card
to pay with, and which theatres sell natively and which through a legacy POS.

Everything is read back from the demo's database rather than restated, so the banner stays true
when the demo data changes or an old database is reused (a demo password someone changed is
said to be changed, a theatre a partner added is listed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from marquee.demo_data import DEMO_PARTNER, DEMO_USERS
from store.tables import connectors, partners, theatres

if TYPE_CHECKING:
    from marquee.bootstrap import Hub

# What each shipped adapter speaks, in the words of the README; another adapter shows its name.
POS_KINDS = {"rest": "REST/JSON", "soap": "SOAP/XML", "csv_sftp": "CSV over SFTP"}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    signs_in: bool  # the password still verifies in this database


@dataclass(frozen=True)
class LegacyGroup:
    connector_id: str
    pos_kind: str
    theatres: tuple[str, ...]  # "Name (City)"


@dataclass(frozen=True)
class DemoFacts:
    logins: tuple[DemoLogin, ...]
    partner_name: str
    native: tuple[str, ...]  # "Name (City)"
    legacy: tuple[LegacyGroup, ...]


def demo_logins(hub: Hub) -> tuple[DemoLogin, ...]:
    """The demo accounts as the demo seeds them, each checked against the stored password."""
    from api.security import accounts

    cipher = hub.cipher
    logins = []
    with hub.engine.connect() as conn:
        for _user_id, email, password, role, _partner in DEMO_USERS:
            row = accounts.authenticate(conn, cipher, email, password)
            ok = row is not None and row.role == role
            logins.append(DemoLogin(role, email, password, ok))
    order = {"customer": 0, "partner": 1, "admin": 2}
    return tuple(sorted(logins, key=lambda login: order.get(login.role, 9)))


def demo_facts(hub: Hub) -> DemoFacts:
    with hub.engine.connect() as conn:
        partner_name = (
            conn.execute(select(partners.c.name).where(partners.c.id == DEMO_PARTNER)).scalar()
            or DEMO_PARTNER
        )
        native = conn.execute(
            select(theatres.c.name, theatres.c.city)
            .where(theatres.c.partner_id == DEMO_PARTNER, theatres.c.connector_id.is_(None))
            .order_by(theatres.c.city, theatres.c.name)
        ).all()
        legacy_rows = conn.execute(
            select(connectors.c.id, connectors.c.adapter, theatres.c.name, theatres.c.city)
            .join(theatres, theatres.c.connector_id == connectors.c.id)
            .order_by(connectors.c.id, theatres.c.city, theatres.c.name)
        ).all()
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    for connector_id, adapter, name, city in legacy_rows:
        grouped[(connector_id, adapter)].append(f"{name} ({city})")
    legacy = tuple(
        LegacyGroup(connector_id, POS_KINDS.get(adapter, adapter), tuple(names))
        for (connector_id, adapter), names in grouped.items()
    )
    return DemoFacts(
        logins=demo_logins(hub),
        partner_name=partner_name,
        native=tuple(f"{name} ({city})" for name, city in native),
        legacy=legacy,
    )


def _grouped(names: Sequence[str], indent: str, width: int = 100) -> list[str]:
    lines: list[str] = []
    line = indent
    for i, name in enumerate(names):
        piece = name + (", " if i < len(names) - 1 else "")
        if line.strip() and len(line) + len(piece) > width:
            lines.append(line.rstrip())
            line = indent
        line += piece
    lines.append(line.rstrip())
    return lines


def render_banner(
    facts: DemoFacts, base: str, *, web_built: bool, card_ok: str, card_declined: str
) -> str:
    def spaced(card: str) -> str:
        return " ".join(card[i : i + 4] for i in range(0, len(card), 4))

    out = [f"Marquee is running on {base}"]
    if web_built:
        out.append(f"  web app     {base}/   (partner portal /partner, admin panel /admin)")
    else:
        out.append("  web app     not built: needs Node.js 20+ and npm (`make demo` builds it)")
    out.append(f"  API docs    {base}/docs")
    width = max(len(login.email) for login in facts.logins)
    for i, login in enumerate(facts.logins):
        head = "  sign in     " if i == 0 else "              "
        note = ""
        if login.role == "partner":
            note = f"   ({facts.partner_name}: runs the native theatres)"
        if not login.signs_in:
            note = "   (its password was changed in this database)"
        out.append(f"{head}{login.role:9} {login.email:{width}}  {login.password}{note}".rstrip())
    out.append(f"  test card   {spaced(card_ok)} pays, {spaced(card_declined)} is declined")
    if facts.native:
        out.append("  native theatres (Marquee's partner API):")
        out.extend(_grouped(facts.native, "    "))
    if facts.legacy:
        out.append("  legacy-POS theatres (their own POS, synced by Marquee):")
        kind_width = max(len(g.pos_kind) for g in facts.legacy)
        id_width = max(len(g.connector_id) for g in facts.legacy)
        for group in facts.legacy:
            head = f"    {group.connector_id:{id_width}}  {group.pos_kind:{kind_width}}  "
            names = _grouped(group.theatres, " " * len(head))
            out.append(head + names[0].lstrip())
            out.extend(names[1:])
    return "\n".join(out) + "\n"


def demo_banner(hub: Hub, base: str, web_dist: Path) -> str:
    from payments.offline import CARD_DECLINE, CARD_SUCCESS

    return render_banner(
        demo_facts(hub),
        base,
        web_built=(web_dist / "index.html").is_file(),
        card_ok=CARD_SUCCESS,
        card_declined=CARD_DECLINE,
    )
