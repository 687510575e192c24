"""Holds: placing them (exact seats or best available), forwarding them to a legacy theatre's
POS, extending and releasing them, the expiry sweep, and releasing them at the theatre.

Flow of a hold for a legacy theatre: take the seats locally (atomic, committed) -> forward the
hold to the POS with the idempotency key `hold:<hold id>` -> refused: release locally, take the
POS's word for those seats, raise SeatsUnavailable; unreachable: release, raise
TheatreUnavailable. A crash between the two leaves a local hold without a remote reference, which
the expiry sweep releases (also at the POS, by the same key). Calls to the POS happen between
transactions, never inside one, so a slow POS never holds database locks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from booking import events as ev
from booking import seating
from booking.errors import (
    ConcurrentUpdate,
    HoldAlreadyExtended,
    HoldExpired,
    HoldNotActive,
    NoAdjacentSeats,
    SalesClosed,
    SalesNotOpen,
    SeatsUnavailable,
    TheatreUnavailable,
    UnknownHold,
    UnknownSeat,
)
from booking.ports import (
    PosOrderGone,
    PosRefused,
    PosUnavailable,
    TheatreLink,
    UnitOfWork,
    seats_by_id,
)
from booking.refusals import HoldLimitReached
from booking.service_base import (
    ServiceCore,
    remote_key,
)
from booking.show_context import ShowContext
from canonical.catalog import (
    Seat,
    TheatreRules,
)
from canonical.identity import new_id
from canonical.inventory import SeatStatus
from canonical.orders import (
    Hold,
    HoldStatus,
)


class Holds(ServiceCore):
    # --- holds ---------------------------------------------------------------------------
    def place_hold(
        self, show_id: str, seat_ids: Iterable[str], customer_id: str | None = None
    ) -> Hold:
        """Hold exactly these seats, all or none."""
        wanted = list(dict.fromkeys(seat_ids))
        if not wanted:
            raise UnknownSeat([])
        now = self.clock.now()
        # Bound to fail on a snapshot a fraction of a second old -> refused here; otherwise the
        # database decides, below.
        self.refuse_early(show_id, wanted)
        with self.uow() as uow:
            ctx = self._context(uow, show_id)
            rules = ctx.theatre.rules
            states = uow.seats.states(
                show_id, now, seating.seats_to_check(ctx.layout, wanted, rules)
            )
            try:
                seats = self._check_hold(ctx, wanted, states, now)
            except SeatsUnavailable as taken:
                self.availability.taken(show_id, taken.seat_ids, SeatStatus.HELD)
                raise
            hold = Hold(
                id=new_id("hld"),
                show_id=show_id,
                seat_ids=tuple(wanted),
                customer_id=customer_id,
                created_at=now,
                expires_at=now + timedelta(seconds=rules.hold_ttl_seconds),
            )
            link = self._link(ctx.theatre)
            # The hold row first, the seats last: the seats' row locks then last only from the
            # take to the commit, and a crowd wanting the same seats waits less.
            uow.holds.add(hold)
            refused = uow.seats.take(show_id, wanted, hold.id, expires_at=hold.expires_at, now=now)
            if refused:
                uow.rollback()
                self.availability.taken(show_id, refused, SeatStatus.HELD)
                raise SeatsUnavailable(refused)
            if customer_id is not None:
                # Counted after the take, this hold included: a take the seats refuse (most
                # requests in a sell-out) costs no extra read.
                try:
                    self._within_limits(uow, customer_id, show_id, 0, 0, rules, now)
                except HoldLimitReached:
                    uow.rollback()
                    raise
            if link is None:
                uow.emit(self._placed(hold, ctx))
            self._commit(uow)
        self.availability.taken(show_id, wanted, SeatStatus.HELD)
        if link is None:
            return hold
        return self._forward_hold(hold, ctx, seats, link, remote_key(hold.id))

    def _within_limits(
        self,
        uow: UnitOfWork,
        customer_id: str,
        show_id: str,
        seats: int,
        holds: int,
        rules: TheatreRules,
        now: datetime,
    ) -> None:
        """Refuse when the customer's live holds, plus `seats` and `holds` more, pass the caps
        (place_hold asks after its take, counting the new hold itself). One read; a customer
        racing themselves can exceed it by a request in flight, which the per-customer request
        rate bounds."""
        per_show = self.max_seats_held_per_show or rules.max_seats_per_hold
        held, live = uow.holds.customer_load(customer_id, show_id, now)
        if held + seats > per_show:
            raise HoldLimitReached(
                f"you may hold at most {per_show} seats for this show "
                f"(this request would make {held + seats})",
                limit=per_show,
                held=held + seats,
            )
        if live + holds > self.max_live_holds:
            raise HoldLimitReached(
                f"you may have at most {self.max_live_holds} holds at once "
                f"(this request would make {live + holds})",
                limit=self.max_live_holds,
                holds=live + holds,
            )

    @staticmethod
    def _check_hold(
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
                f"online sales for show {ctx.show.id} closed at "
                f"{ctx.show.sales_close().isoformat()}"
            )
        return seating.check_selection(
            ctx.layout, wanted, ctx.online_states(states), ctx.theatre.rules
        )

    def _placed(self, hold: Hold, ctx: ShowContext) -> ev.HoldPlaced:
        return ev.HoldPlaced(
            hold_id=hold.id,
            show_id=hold.show_id,
            theatre_id=ctx.theatre.id,
            seat_ids=hold.seat_ids,
            expires_at=hold.expires_at,
            customer_id=hold.customer_id,
            remote_ref=hold.remote_ref,
        )

    def _forward_hold(
        self, hold: Hold, ctx: ShowContext, seats: list[Seat], link: TheatreLink, key: str
    ) -> Hold:
        # The POS hold lasts twice the TTL so the one allowed extension needs no remote call;
        # our own expiry releases it at the POS in any case.
        try:
            remote = link.hold(ctx.show, seats, ctx.theatre.rules.hold_ttl_seconds * 2, key)
        except PosRefused as refusal:
            # Only seats the POS named are taken on its word; a refusal naming none marks
            # nothing sold here (the next inventory sync says whose they are).
            named = [s for s in refusal.seat_ids if s in hold.seat_ids]
            self._undo_hold(
                hold,
                ctx,
                reason="refused_by_theatre",
                forward=False,
                refused=named,
                remote_key=key,
            )
            if not named:
                raise SeatsUnavailable(
                    list(hold.seat_ids), f"the theatre refused the hold: {refusal}"
                ) from refusal
            raise SeatsUnavailable(
                named, f"the theatre reports these seats are taken: {', '.join(named)}"
            ) from refusal
        except PosUnavailable as down:
            # The POS may have made the hold before the line dropped: release it by key.
            self._undo_hold(
                hold, ctx, reason="theatre_unavailable", forward=True, refused=[], remote_key=key
            )
            raise TheatreUnavailable(
                f"the theatre's system is not answering: {down}", retry_after=down.retry_after
            ) from down
        with self.uow() as uow:
            current = uow.holds.get(hold.id)
            updated = hold.forwarded(remote.ref)
            if (
                current is not None
                and current.status == HoldStatus.ACTIVE
                and uow.holds.save(updated, expect=HoldStatus.ACTIVE)
            ):
                uow.emit(self._placed(updated, ctx))
                self._commit(uow)
                return updated
        # Released or expired while we were talking to the POS: undo the remote hold too.
        with self.uow() as uow:
            uow.emit(
                ev.HoldReleased(
                    hold_id=hold.id,
                    show_id=hold.show_id,
                    theatre_id=ctx.theatre.id,
                    seat_ids=hold.seat_ids,
                    reason="superseded",
                    remote_ref=remote.ref,
                    remote_key=key,
                )
            )
            self._commit(uow)
        raise HoldExpired(
            f"hold {hold.id} ended while the theatre was confirming it", hold_id=hold.id
        )

    def _undo_hold(
        self,
        hold: Hold,
        ctx: ShowContext,
        *,
        reason: str,
        forward: bool,
        refused: list[str],
        remote_key: str,
    ) -> None:
        with self.uow() as uow:
            released = hold.release()
            if uow.holds.save(released, expect=HoldStatus.ACTIVE):
                uow.seats.release(hold.show_id, hold.seat_ids, hold.id)
            if refused:
                # Local inventory takes the POS's word: these seats are gone until a sync says
                # otherwise.
                uow.seats.force(hold.show_id, refused, SeatStatus.SOLD)
                uow.emit(
                    ev.SeatsRefusedByTheatre(
                        show_id=hold.show_id,
                        theatre_id=ctx.theatre.id,
                        seat_ids=tuple(refused),
                        hold_id=hold.id,
                    )
                )
            uow.emit(
                ev.HoldReleased(
                    hold_id=hold.id,
                    show_id=hold.show_id,
                    theatre_id=ctx.theatre.id,
                    seat_ids=hold.seat_ids,
                    reason=reason,
                    remote_key=remote_key,
                    forward=forward,
                )
            )
            self._commit(uow)

    def best_available(self, show_id: str, count: int, category: str | None = None) -> list[str]:
        recent = self.availability.recent(show_id)
        if recent is not None:
            ctx, states = recent.context, recent.states
        else:
            with self.uow() as uow:
                ctx = self._context(uow, show_id)
                states = uow.seats.states(show_id, self.clock.now())
            self.availability.remember(show_id, ctx, states)
        ctx.require_on_sale()
        ctx.require_online()
        seating.check_count(count, ctx.theatre.rules)
        found = seating.best_available(ctx.layout, count, ctx.online_states(states), category)
        if found is None:
            raise self._no_adjacent(count, category)
        return found

    @staticmethod
    def _no_adjacent(count: int, category: str | None) -> NoAdjacentSeats:
        return NoAdjacentSeats(
            f"no {count} adjacent seats together" + (f" in {category}" if category else ""),
            count=count,
            category=category,
        )

    def refuse_early(
        self,
        show_id: str,
        seat_ids: Iterable[str] | None = None,
        count: int | None = None,
        category: str | None = None,
    ) -> None:
        """Raise now the refusal that a hold request (these seats, or `count` best available)
        would meet, if a recent availability snapshot already shows it; return when only the
        database can tell. Never touches the database: a caller on an event loop can ask this
        before handing the request to a thread."""
        recent = self.availability.recent(show_id)
        if recent is None:
            return
        if seat_ids is not None:
            wanted = list(dict.fromkeys(seat_ids))
            if wanted:
                self._check_hold(recent.context, wanted, recent.states, self.clock.now())
        elif count is not None:
            recent.context.require_on_sale()
            recent.context.require_online()
            seating.check_count(count, recent.context.theatre.rules)
            states = recent.context.online_states(recent.states)
            if seating.best_available(recent.context.layout, count, states, category) is None:
                raise self._no_adjacent(count, category)

    def hold_best_available(
        self,
        show_id: str,
        count: int,
        category: str | None = None,
        customer_id: str | None = None,
        attempts: int = 3,
    ) -> Hold:
        """Find and hold the best N adjacent seats; if another customer takes them first, look
        again (a few times) rather than fail."""
        last: SeatsUnavailable | None = None
        for _ in range(attempts):
            seat_ids = self.best_available(show_id, count, category)
            try:
                return self.place_hold(show_id, seat_ids, customer_id)
            except SeatsUnavailable as taken:
                last = taken
        assert last is not None
        raise last

    def get_hold(self, hold_id: str) -> Hold:
        with self.uow() as uow:
            hold = uow.holds.get(hold_id)
        if hold is None:
            raise UnknownHold(f"no hold {hold_id!r}")
        return hold

    def extend_hold(self, hold_id: str) -> Hold:
        now = self.clock.now()
        with self.uow() as uow:
            hold = uow.holds.get(hold_id)
            if hold is None:
                raise UnknownHold(f"no hold {hold_id!r}")
            self._require_live(hold, now)
            if hold.extended:
                raise HoldAlreadyExtended(f"hold {hold_id} was already extended once")
            ctx = self._context(uow, hold.show_id)
            if hold.customer_id is not None:
                # Extending keeps seats held longer: a customer over the caps (lowered since, or
                # raced past) does not get more time.
                self._within_limits(
                    uow, hold.customer_id, hold.show_id, 0, 0, ctx.theatre.rules, now
                )
            expires = max(hold.expires_at, now) + timedelta(
                seconds=ctx.theatre.rules.hold_ttl_seconds
            )
            expires = min(expires, ctx.show.sales_close()) if expires > now else expires
            updated = hold.extend(expires)
            if not uow.holds.save(updated, expect=HoldStatus.ACTIVE):
                raise ConcurrentUpdate(f"hold {hold_id} changed meanwhile; try again")
            uow.seats.extend(hold.show_id, hold.id, expires)
            uow.emit(ev.HoldExtended(hold_id=hold.id, show_id=hold.show_id, expires_at=expires))
            self._commit(uow)
            return updated

    @staticmethod
    def _require_live(hold: Hold, now: datetime) -> None:
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

    def release_hold(self, hold_id: str) -> Hold:
        with self.uow() as uow:
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
            if not uow.holds.save(released, expect=HoldStatus.ACTIVE):
                raise ConcurrentUpdate(f"hold {hold_id} changed meanwhile; try again")
            uow.seats.release(hold.show_id, hold.seat_ids, hold.id)
            show = uow.catalog.show(hold.show_id)
            uow.emit(
                ev.HoldReleased(
                    hold_id=hold.id,
                    show_id=hold.show_id,
                    theatre_id=show.theatre_id if show else "",
                    seat_ids=hold.seat_ids,
                    remote_ref=hold.remote_ref,
                    remote_key=remote_key(hold.id),
                )
            )
            self._commit(uow)
            return released

    def expire_holds(self, limit: int = 500) -> int:
        """The sweep: every active hold past its expiry is released here and (through the
        HoldExpired event) at the POS. Safe to run on several workers at once."""
        now = self.clock.now()
        with self.uow() as uow:
            due = uow.holds.expired(now, limit)
        expired = 0
        for hold in due:
            with self.uow() as uow:
                gone = hold.expire()
                if not uow.holds.save(gone, expect=HoldStatus.ACTIVE):
                    continue  # converted, released or expired by someone else meanwhile
                uow.seats.release(hold.show_id, hold.seat_ids, hold.id)
                show = uow.catalog.show(hold.show_id)
                uow.emit(
                    ev.HoldExpired(
                        hold_id=hold.id,
                        show_id=hold.show_id,
                        theatre_id=show.theatre_id if show else "",
                        seat_ids=hold.seat_ids,
                        remote_ref=hold.remote_ref,
                        remote_key=remote_key(hold.id),
                    )
                )
                self._commit(uow)
                expired += 1
        return expired

    def release_at_theatre(
        self,
        show_id: str,
        theatre_id: str,
        remote_ref: str | None,
        remote_key: str | None,
        seat_ids: Iterable[str] = (),
    ) -> None:
        """Handler work for HoldReleased/HoldExpired: let go of the POS hold. Raises
        PosUnavailable so the outbox retries."""
        if remote_ref is None and remote_key is None:
            return
        with self.uow() as uow:
            ctx = self._context(uow, show_id)
        link = self._link(ctx.theatre)
        if link is None:
            return
        wanted = list(seat_ids)
        if remote_ref is None and remote_key is not None and wanted:
            # The POS may hold these seats under our key without our knowing its order (its
            # answer timed out). Ask again with the same key: a POS that made the hold answers
            # with the same order, which is released below; one that never saw it makes a hold
            # released at once; one that refuses holds nothing for us.
            try:
                remote_ref = link.hold(
                    ctx.show,
                    seats_by_id(ctx.layout, wanted),
                    ctx.theatre.rules.hold_ttl_seconds,
                    remote_key,
                ).ref
            except (PosRefused, PosOrderGone):
                return
        try:
            link.release(ctx.show, remote_ref, f"release:{remote_key or remote_ref}")
        except PosOrderGone:
            return  # already gone at the POS: that is what we wanted
