"""What every command handler shares: the configuration and the adapters it runs with (`Deps`),
and the plumbing of a unit of work: commit, then hand on the events; a show's selling context;
the theatre link a hold or sale goes through.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from booking import events as ev
from booking.availability import RecentAvailability
from booking.clock import SystemClock
from booking.errors import UnknownShow
from booking.links import native_only
from booking.ports import (
    Clock,
    GatewayResolver,
    SellingPolicy,
    SellingPolicySource,
    TheatreLink,
    TheatreLinkResolver,
    UnitOfWork,
    UnitOfWorkFactory,
)
from booking.read_models import SeatMaps
from booking.show_context import ShowContext
from canonical.catalog import Show, Theatre

# Events whose transaction freed seats: a recent-availability snapshot of the show is stale.
FREES_SEATS = (ev.HoldReleased, ev.HoldExpired, ev.BookingCancelled, ev.BookingFailed)


@dataclass
class Deps:
    uow: UnitOfWorkFactory
    gateways: GatewayResolver
    links: TheatreLinkResolver = native_only
    clock: Clock = field(default_factory=SystemClock)
    # Called with the events of each committed transaction (in-process dispatch). Leave None
    # when an outbox relay delivers them instead.
    on_commit: Callable[[list[ev.Event]], None] | None = None
    # Recent seat states per show, trusted only to refuse (booking/availability.py). Off (0 s)
    # unless configured; the API runs with AVAILABILITY_SNAPSHOT_SECONDS.
    availability: RecentAvailability = field(default_factory=lambda: RecentAvailability(0.0))
    # Per-customer caps across all their holds: seats held on one show (None: the theatre's
    # max seats per hold) and live holds anywhere. A customer holding a show's seats a few at a
    # time is refused as one holding them all at once would be.
    max_seats_held_per_show: int | None = None
    max_live_holds: int = 5
    # How long a booking may stay pending, or a payment attempt unresolved, before the stuck
    # sweep asks the gateway about it.
    stuck_after_seconds: int = 900
    # The last seat map built per show (booking/read_models.py), kept for the process's life.
    maps: SeatMaps = field(default_factory=SeatMaps, repr=False)


def commit(deps: Deps, uow: UnitOfWork) -> None:
    """Commit, then hand the transaction's events on: seats freed make the show's availability
    snapshot stale, and an in-process dispatcher gets them all."""
    uow.commit()
    events = list(uow.collect_new_events())
    for event in events:
        if isinstance(event, FREES_SEATS):
            deps.availability.forget(event.show_id)
    if deps.on_commit is not None and events:
        deps.on_commit(events)


def show_context(deps: Deps, uow: UnitOfWork, show_id: str) -> ShowContext:
    """The show, its theatre, seat layout and selling policy; UnknownShow when any is missing."""
    found = uow.catalog.show_context(show_id)
    if found is None:
        raise UnknownShow(f"no show {show_id!r}")
    show, theatre, layout, cancelled = found
    if theatre is None or layout is None:
        raise UnknownShow(f"show {show_id!r} has no theatre or seat layout on record")
    return ShowContext(show, theatre, layout, cancelled, _selling(deps, theatre, show))


def _selling(deps: Deps, theatre: Theatre, show: Show) -> SellingPolicy:
    link = deps.links(theatre)
    if isinstance(link, SellingPolicySource):
        return link.selling(show)
    return SellingPolicy()


def pos_link(deps: Deps, theatre: Theatre) -> TheatreLink | None:
    """The link holds and sales of this theatre are forwarded through; None when there is
    nothing to forward (a native theatre, or a POS that takes no holds or sales from us)."""
    link = deps.links(theatre)
    if isinstance(link, SellingPolicySource) and not link.selling_forwards():
        # The POS takes no holds or sales from Marquee (allocated seats are sold here).
        return None
    return link
