"""The checks a hold must pass, and finding the best available seats. The hold handlers check
the sales window, the seat rules, whether a hold is still live and (after the take) the
per-customer caps; the early refusal the API asks for on its event loop uses only what the
public seat map shows (the snapshot), never the caps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from booking import events as ev
from booking import seating
from booking.deps import Deps, show_context
from booking.errors import (
    HoldExpired,
    HoldNotActive,
    NoAdjacentSeats,
    SalesClosed,
    SalesNotOpen,
)
from booking.ports import UnitOfWork
from booking.refusals import HoldLimitReached
from booking.show_context import ShowContext
from canonical.catalog import Seat, TheatreRules
from canonical.inventory import SeatStatus
from canonical.orders import Hold, HoldStatus


def check_hold(
    ctx: ShowContext, wanted: list[str], states: Mapping[str, SeatStatus], now: datetime
) -> list[Seat]:
    ctx.require_on_sale()
    ctx.require_online()
    opens = ctx.show.sales_open()
    if opens is not None and now < opens:
        raise SalesNotOpen(
            f"online sales for show {ctx.show.id} open at {opens.isoformat()}",
            opens_at=opens.isoformat(),
        )
    if now >= ctx.show.sales_close():
        raise SalesClosed(
            f"online sales for show {ctx.show.id} closed at {ctx.show.sales_close().isoformat()}"
        )
    return seating.check_selection(ctx.layout, wanted, ctx.online_states(states), ctx.theatre.rules)


def within_limits(
    deps: Deps,
    uow: UnitOfWork,
    customer_id: str,
    show_id: str,
    seats: int,
    holds: int,
    rules: TheatreRules,
    now: datetime,
) -> None:
    """Refuse when the customer's live holds, plus `seats` and `holds` more, pass the caps
    (placing a hold asks after its take, counting the new hold itself). One read; a customer
    racing themselves can exceed it by a request in flight, which the per-customer request
    rate bounds."""
    per_show = deps.max_seats_held_per_show or rules.max_seats_per_hold
    held, live = uow.holds.customer_load(customer_id, show_id, now)
    if held + seats > per_show:
        raise HoldLimitReached(
            f"you may hold at most {per_show} seats for this show "
            f"(this request would make {held + seats})",
            limit=per_show,
            held=held + seats,
        )
    if live + holds > deps.max_live_holds:
        raise HoldLimitReached(
            f"you may have at most {deps.max_live_holds} holds at once "
            f"(this request would make {live + holds})",
            limit=deps.max_live_holds,
            holds=live + holds,
        )


def require_live(hold: Hold, now: datetime) -> None:
    if hold.status == HoldStatus.EXPIRED or (
        hold.status == HoldStatus.ACTIVE and hold.expires_at <= now
    ):
        raise HoldExpired(
            f"hold {hold.id} expired at {hold.expires_at.isoformat()}", hold_id=hold.id
        )
    if hold.status != HoldStatus.ACTIVE:
        raise HoldNotActive(
            f"hold {hold.id} is {hold.status.value}", hold_id=hold.id, status=hold.status.value
        )


def placed(hold: Hold, ctx: ShowContext) -> ev.HoldPlaced:
    return ev.HoldPlaced(
        hold_id=hold.id,
        show_id=hold.show_id,
        theatre_id=ctx.theatre.id,
        seat_ids=hold.seat_ids,
        expires_at=hold.expires_at,
        customer_id=hold.customer_id,
        remote_ref=hold.remote_ref,
    )


def no_adjacent(count: int, category: str | None) -> NoAdjacentSeats:
    return NoAdjacentSeats(
        f"no {count} adjacent seats together" + (f" in {category}" if category else ""),
        count=count,
        category=category,
    )


def best_available(deps: Deps, show_id: str, count: int, category: str | None = None) -> list[str]:
    """The best `count` adjacent seats on sale now (a recent snapshot will do: the hold that
    follows is the database's decision)."""
    recent = deps.availability.recent(show_id)
    if recent is not None:
        ctx, states = recent.context, recent.states
    else:
        with deps.uow() as uow:
            ctx = show_context(deps, uow, show_id)
            states = uow.seats.states(show_id, deps.clock.now())
        deps.availability.remember(show_id, ctx, states)
    ctx.require_on_sale()
    ctx.require_online()
    seating.check_count(count, ctx.theatre.rules)
    found = seating.best_available(ctx.layout, count, ctx.online_states(states), category)
    if found is None:
        raise no_adjacent(count, category)
    return found


def refuse_early(
    deps: Deps,
    show_id: str,
    seat_ids: Iterable[str] | None = None,
    count: int | None = None,
    category: str | None = None,
) -> None:
    """Raise now the refusal that a hold request (these seats, or `count` best available)
    would meet, if a recent availability snapshot already shows it; return when only the
    database can tell. Never touches the database: a caller on an event loop can ask this
    before handing the request to a thread."""
    recent = deps.availability.recent(show_id)
    if recent is None:
        return
    if seat_ids is not None:
        wanted = list(dict.fromkeys(seat_ids))
        if wanted:
            check_hold(recent.context, wanted, recent.states, deps.clock.now())
    elif count is not None:
        recent.context.require_on_sale()
        recent.context.require_online()
        seating.check_count(count, recent.context.theatre.rules)
        states = recent.context.online_states(recent.states)
        if seating.best_available(recent.context.layout, count, states, category) is None:
            raise no_adjacent(count, category)
