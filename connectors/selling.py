"""A connector's selling policy: what Marquee may sell online through a theatre's POS, from
what the POS can do (its mapping's `capabilities`) and what the theatre decided (the
connector's `online_sales` and `allocation` settings).

- `live`: holds and sales go through the POS. Needs a POS that can hold, sell and release.
- `closed`: nothing is sold online; a hold is refused before any seat is taken
  (`sales_closed_online`). The default for a POS that cannot hold and sell.
- `allocation`: only the seats the theatre gave Marquee are sold online, in Marquee's own
  inventory (the POS is not asked); every other seat is the box office's. `allocation` names
  them per screen: the canonical screen id (or `*` for every screen) -> seat ids.

Under an allocation, `sales_report: {"path": "/inbox/marquee-sales-{date:%Y%m%d}.csv"}` makes
Marquee upload each business day's allocation sales to the theatre's SFTP server after every
sale and cancellation (`connectors/sales_report.py`); it needs the `csv_sftp` adapter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from booking.allocation_sales import report_path_problem
from booking.ports import SellingMode, SellingPolicy

LIVE_NEEDS = ("hold", "sell", "release")
# The sales report is a file dropped on the theatre's SFTP server.
REPORT_ADAPTERS = ("csv_sftp",)


class InvalidSellingPolicy(ValueError):
    """A connector's selling settings do not fit its POS's capabilities."""


def default_mode(capabilities: frozenset[str]) -> SellingMode:
    return SellingMode.LIVE if all(c in capabilities for c in LIVE_NEEDS) else SellingMode.CLOSED


def problems(
    settings: Mapping[str, Any], capabilities: frozenset[str], adapter: str | None = None
) -> list[str]:
    """Everything wrong with a connector's selling settings, as sentences (none: valid).
    `adapter` (when known) is checked against what `sales_report` needs."""
    out: list[str] = []
    raw = settings.get("online_sales")
    allocation = settings.get("allocation")
    if raw is None:
        mode = default_mode(capabilities)
    else:
        try:
            mode = SellingMode(raw)
        except ValueError:
            names = ", ".join(m.value for m in SellingMode)
            return [f"online_sales {raw!r} is not one of {names}"]
    if mode is SellingMode.LIVE:
        missing = [c for c in LIVE_NEEDS if c not in capabilities]
        if missing:
            out.append(
                "online_sales 'live' needs a POS that can "
                f"{', '.join(LIVE_NEEDS)}; this mapping cannot {', '.join(missing)} "
                "(use 'closed' or 'allocation')"
            )
    if mode is SellingMode.ALLOCATION:
        if not isinstance(allocation, Mapping) or not allocation:
            out.append(
                "online_sales 'allocation' needs `allocation`: screen id (or '*') -> seat ids"
            )
        else:
            for screen, seats in allocation.items():
                if (
                    not isinstance(seats, list)
                    or not seats
                    or not all(isinstance(s, str) and s for s in seats)
                ):
                    out.append(f"allocation[{screen!r}] must be a non-empty list of seat ids")
    elif allocation is not None:
        out.append(f"`allocation` is read only with online_sales 'allocation', not {mode.value!r}")
    out += _report_problems(settings.get("sales_report"), mode, adapter)
    return out


def _report_problems(report: Any, mode: SellingMode, adapter: str | None) -> list[str]:
    if report is None:
        return []
    if mode is not SellingMode.ALLOCATION:
        return [f"`sales_report` is read only with online_sales 'allocation', not {mode.value!r}"]
    if not isinstance(report, Mapping) or set(report) != {"path"}:
        return ['sales_report must be {"path": "/folder/sales-{date:%Y%m%d}.csv"}']
    out = []
    found = report_path_problem(report["path"])
    if found:
        out.append(found)
    if adapter is not None and adapter not in REPORT_ADAPTERS:
        out.append(
            f"sales_report is uploaded over SFTP: it needs the csv_sftp adapter, not {adapter!r}"
        )
    return out


def check(
    settings: Mapping[str, Any], capabilities: frozenset[str], adapter: str | None = None
) -> None:
    found = problems(settings, capabilities, adapter)
    if found:
        raise InvalidSellingPolicy("; ".join(found))


def sells_allocation(settings: Mapping[str, Any]) -> bool:
    """Whether the connector sells an allocation. Only an explicit setting does (no POS
    defaults to it), so this needs neither the mapping nor a full validation."""
    return settings.get("online_sales") == SellingMode.ALLOCATION.value


def sales_report_path(settings: Mapping[str, Any]) -> str | None:
    """The path template of the allocation sales report to upload, or None (no upload).
    Settings that do not validate upload nothing, as they sell nothing."""
    report = settings.get("sales_report")
    if not sells_allocation(settings) or not isinstance(report, Mapping):
        return None
    path = report.get("path")
    return path if report_path_problem(path) is None else None


def policy_for(
    settings: Mapping[str, Any], capabilities: frozenset[str], screen_id: str
) -> SellingPolicy:
    """The policy for one show (on `screen_id`). Settings that do not validate sell nothing:
    a misconfigured connector must never sell seats the theatre did not give Marquee."""
    if problems(settings, capabilities):
        return SellingPolicy(
            SellingMode.CLOSED, reason="the connector's selling settings are invalid"
        )
    raw = settings.get("online_sales")
    mode = default_mode(capabilities) if raw is None else SellingMode(raw)
    if mode is SellingMode.CLOSED:
        reason = (
            "the theatre's system only exports; no seats are allocated to online sales"
            if "hold" not in capabilities
            else "the theatre closed online sales"
        )
        return SellingPolicy(SellingMode.CLOSED, reason=reason)
    if mode is SellingMode.ALLOCATION:
        allocation: Mapping[str, list[str]] = settings["allocation"]
        seats = allocation.get(screen_id, allocation.get("*", []))
        if not seats:
            return SellingPolicy(
                SellingMode.CLOSED, reason="no seats of this screen are allocated to online sales"
            )
        return SellingPolicy(SellingMode.ALLOCATION, allocated=frozenset(seats))
    return SellingPolicy(can_cancel="cancel" in capabilities)
