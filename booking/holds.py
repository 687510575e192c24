"""Hold handlers: placing a hold (exact seats or best available), extending and releasing it,
and the expiry sweep. A hold for a legacy theatre is then forwarded to its POS
(booking/hold_forwarding.py).

Flow of a hold for a legacy theatre: take the seats locally (atomic, committed) -> forward the
hold to the POS with the idempotency key `hold:<hold id>` -> refused: release locally, take the
POS's word for those seats, raise SeatsUnavailable; unreachable: release, raise
TheatreUnavailable. A crash between the two leaves a local hold without a remote reference, which
the expiry sweep releases (also at the POS, by the same key). Calls to the POS happen between
transactions, never inside one, so a slow POS never holds database locks.
"""

from __future__ import annotations

from datetime import timedelta

from booking import events as ev
from booking import seating
from booking.commands import ExpireHolds, ExtendHold, HoldBestAvailable, PlaceHold, ReleaseHold
from booking.deps import Deps, commit, pos_link, show_context
from booking.errors import (
    ConcurrentUpdate,
    HoldAlreadyExtended,
    HoldNotActive,
    SeatsUnavailable,
    UnknownHold,
    UnknownSeat,
)
from booking.hold_checks import (
    best_available,
    check_hold,
    placed,
    refuse_early,
    require_live,
    within_limits,
)
from booking.hold_ending import free_hold
from booking.hold_forwarding import forward_hold
from booking.keys import remote_key
from booking.refusals import HoldLimitReached
from canonical.identity import new_id
from canonical.inventory import SeatStatus
from canonical.orders import Hold, HoldStatus


def place_hold(cmd: PlaceHold, deps: Deps) -> Hold:
    """Hold exactly these seats, all or none."""
    show_id, customer_id = cmd.show_id, cmd.customer_id
    wanted = list(dict.fromkeys(cmd.seat_ids))
    if not wanted:
        raise UnknownSeat([])
    now = deps.clock.now()
    # Bound to fail on a snapshot a fraction of a second old -> refused here; otherwise the
    # database decides, below.
    refuse_early(deps, show_id, wanted)
    with deps.uow() as uow:
        ctx = show_context(deps, uow, show_id)
        rules = ctx.theatre.rules
        states = uow.seats.states(show_id, now, seating.seats_to_check(ctx.layout, wanted, rules))
        try:
            seats = check_hold(ctx, wanted, states, now)
        except SeatsUnavailable as taken:
            deps.availability.taken(show_id, taken.seat_ids, SeatStatus.HELD)
            raise
        hold = Hold(
            id=new_id("hld"),
            show_id=show_id,
            seat_ids=tuple(wanted),
            customer_id=customer_id,
            created_at=now,
            expires_at=now + timedelta(seconds=rules.hold_ttl_seconds),
        )
        link = pos_link(deps, ctx.theatre)
        # The hold row first, the seats last: the seats' row locks then last only from the
        # take to the commit, and a crowd wanting the same seats waits less.
        uow.holds.add(hold)
        refused = uow.seats.take(show_id, wanted, hold.id, expires_at=hold.expires_at, now=now)
        if refused:
            uow.rollback()
            deps.availability.taken(show_id, refused, SeatStatus.HELD)
            raise SeatsUnavailable(refused)
        if customer_id is not None:
            # Counted after the take, this hold included: a take the seats refuse (most
            # requests in a sell-out) costs no extra read.
            try:
                within_limits(deps, uow, customer_id, show_id, 0, 0, rules, now)
            except HoldLimitReached:
                uow.rollback()
                raise
        if link is None:
            uow.emit(placed(hold, ctx))
        commit(deps, uow)
    deps.availability.taken(show_id, wanted, SeatStatus.HELD)
    if link is None:
        return hold
    return forward_hold(deps, hold, ctx, seats, link, remote_key(hold.id))


def hold_best_available(cmd: HoldBestAvailable, deps: Deps) -> Hold:
    """Find and hold the best N adjacent seats; if another customer takes them first, look
    again (a few times) rather than fail."""
    last: SeatsUnavailable | None = None
    for _ in range(cmd.attempts):
        seat_ids = best_available(deps, cmd.show_id, cmd.count, cmd.category)
        try:
            return place_hold(PlaceHold(cmd.show_id, tuple(seat_ids), cmd.customer_id), deps)
        except SeatsUnavailable as taken:
            last = taken
    assert last is not None
    raise last


def extend_hold(cmd: ExtendHold, deps: Deps) -> Hold:
    hold_id = cmd.hold_id
    now = deps.clock.now()
    with deps.uow() as uow:
        hold = uow.holds.get(hold_id)
        if hold is None:
            raise UnknownHold(f"no hold {hold_id!r}")
        require_live(hold, now)
        if hold.extended:
            raise HoldAlreadyExtended(f"hold {hold_id} was already extended once")
        ctx = show_context(deps, uow, hold.show_id)
        if hold.customer_id is not None:
            # Extending keeps seats held longer: a customer over the caps (lowered since, or
            # raced past) does not get more time.
            within_limits(deps, uow, hold.customer_id, hold.show_id, 0, 0, ctx.theatre.rules, now)
        expires = max(hold.expires_at, now) + timedelta(seconds=ctx.theatre.rules.hold_ttl_seconds)
        expires = min(expires, ctx.show.sales_close()) if expires > now else expires
        updated = hold.extend(expires)
        if not uow.holds.save(updated, expect=HoldStatus.ACTIVE):
            raise ConcurrentUpdate(f"hold {hold_id} changed meanwhile; try again")
        uow.seats.extend(hold.show_id, hold.id, expires)
        uow.emit(ev.HoldExtended(hold_id=hold.id, show_id=hold.show_id, expires_at=expires))
        commit(deps, uow)
        return updated


def release_hold(cmd: ReleaseHold, deps: Deps) -> Hold:
    hold_id = cmd.hold_id
    with deps.uow() as uow:
        hold = uow.holds.get(hold_id)
        if hold is None:
            raise UnknownHold(f"no hold {hold_id!r}")
        if hold.status in (HoldStatus.RELEASED, HoldStatus.EXPIRED):
            return hold  # releasing twice is harmless
        if hold.status != HoldStatus.ACTIVE:
            raise HoldNotActive(
                f"hold {hold_id} is {hold.status.value}",
                hold_id=hold_id,
                status=hold.status.value,
            )
        released = hold.release()
        if not free_hold(uow, hold, released):
            raise ConcurrentUpdate(f"hold {hold_id} changed meanwhile; try again")
        commit(deps, uow)
        return released


def expire_holds(cmd: ExpireHolds, deps: Deps) -> int:
    """The sweep: every active hold past its expiry is released here and (through the
    HoldExpired event) at the POS. Safe to run on several workers at once."""
    now = deps.clock.now()
    with deps.uow() as uow:
        due = uow.holds.expired(now, cmd.limit)
    expired = 0
    for hold in due:
        with deps.uow() as uow:
            if not free_hold(uow, hold, hold.expire()):
                continue  # converted, released or expired by someone else meanwhile
            commit(deps, uow)
            expired += 1
    return expired
