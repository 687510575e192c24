"""Booking services: the use cases. Each runs in its own unit of work; calls to the outside
(theatre POS, payment gateway) happen between transactions, never inside one, so a slow POS never
holds database locks.

Flow of a hold for a legacy theatre: take the seats locally (atomic, committed) -> forward the
hold to the POS with the idempotency key `hold:<hold id>` -> refused: release locally, take the
POS's word for those seats, raise SeatsUnavailable; unreachable: release, raise
TheatreUnavailable. A crash between the two leaves a local hold without a remote reference, which
the expiry sweep releases (also at the POS, by the same key).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from booking import events as ev
from booking import seating, tickets
from booking.availability import RecentAvailability
from booking.clock import SystemClock
from booking.errors import (
    BookingError,
    BookingNotCancellable,
    CancellationClosed,
    ConcurrentUpdate,
    GatewayUnavailable,
    HoldAlreadyExtended,
    HoldExpired,
    HoldNotActive,
    InvalidAmount,
    NoAdjacentSeats,
    PaymentDeclined,
    PaymentStateConflict,
    SalesClosed,
    SalesNotOpen,
    SeatsUnavailable,
    TheatreUnavailable,
    UnknownBooking,
    UnknownHold,
    UnknownPayment,
    UnknownShow,
    UnknownTicketType,
    UnsupportedMethod,
)
from booking.payment_states import advance
from booking.ports import (
    Clock,
    GatewayError,
    GatewayEvent,
    GatewayEventKind,
    GatewayResolver,
    GatewayResult,
    GatewayStatus,
    PaymentRequest,
    PosOrderGone,
    PosRefused,
    PosUnavailable,
    SellingPolicy,
    SellingPolicySource,
    TheatreLink,
    TheatreLinkResolver,
    UnitOfWork,
    UnitOfWorkFactory,
    seats_by_id,
)
from booking.read_models import SeatMap, SeatMaps, SeatView
from booking.refusals import HoldLimitReached, PaidBookingFailed
from booking.show_context import ShowContext
from canonical.catalog import (
    Seat,
    Show,
    Theatre,
    TheatreRules,
)
from canonical.identity import new_id
from canonical.inventory import SeatStatus
from canonical.money import Money
from canonical.orders import (
    Booking,
    BookingStatus,
    Hold,
    HoldStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Ticket,
)

# Booking codes avoid look-alikes (0/O, 1/I/L) because people read them out at the counter.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CHECKOUT_TRIES = 5  # reads after losing a race for a hold's booking or attempt
# Events whose transaction freed seats: a recent-availability snapshot of the show is stale.
FREES_SEATS = (ev.HoldReleased, ev.HoldExpired, ev.BookingCancelled, ev.BookingFailed)


def attempt_key(booking_id: str, attempt: int) -> str:
    """The gateway idempotency key of a booking's n-th payment attempt."""
    return f"{booking_id}:attempt-{attempt}"


def remote_key(hold_id: str) -> str:
    """The idempotency key of a hold at the POS: a retry of the same hold never holds twice."""
    return f"hold:{hold_id}"


def new_booking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@dataclass(frozen=True)
class CheckoutResult:
    booking: Booking
    payment: Payment
    next_action: str | None = None  # e.g. "3ds": call confirm_payment after the customer acts
    client_secret: str | None = None
    created: bool = True  # False: a repeated checkout, answered with the existing attempt


@dataclass(frozen=True)
class CancellationResult:
    booking: Booking
    refund: Money
    fee: Money
    refund_issued: bool


@dataclass
class BookingService:
    uow: UnitOfWorkFactory
    gateways: GatewayResolver
    links: TheatreLinkResolver = field(default=lambda theatre: None)
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
    _maps: SeatMaps = field(default_factory=SeatMaps, init=False, repr=False)

    # --- plumbing ------------------------------------------------------------------------
    def _commit(self, uow: UnitOfWork) -> None:
        uow.commit()
        events = list(uow.collect_new_events())
        for event in events:
            if isinstance(event, FREES_SEATS):
                self.availability.forget(event.show_id)
        if self.on_commit is not None and events:
            self.on_commit(events)

    def _context(self, uow: UnitOfWork, show_id: str) -> ShowContext:
        found = uow.catalog.show_context(show_id)
        if found is None:
            raise UnknownShow(f"no show {show_id!r}")
        show, theatre, layout, cancelled = found
        if theatre is None or layout is None:
            raise UnknownShow(f"show {show_id!r} has no theatre or seat layout on record")
        return ShowContext(show, theatre, layout, cancelled, self._selling(theatre, show))

    def _selling(self, theatre: Theatre, show: Show) -> SellingPolicy:
        link = self.links(theatre)
        if isinstance(link, SellingPolicySource):
            return link.selling(show)
        return SellingPolicy()

    def _link(self, theatre: Theatre) -> TheatreLink | None:
        link = self.links(theatre)
        if isinstance(link, SellingPolicySource) and not link.selling_forwards():
            # The POS takes no holds or sales from Marquee (allocated seats are sold here).
            return None
        return link

    # --- seat map ------------------------------------------------------------------------
    def seat_map(self, show_id: str) -> SeatMap:
        with self.uow() as uow:
            ctx = self._context(uow, show_id)
            now = self.clock.now()
            states = uow.seats.states(show_id, now)
        self.availability.remember(show_id, ctx, states)
        return self._maps.build(ctx, states, now)

    # --- holds ---------------------------------------------------------------------------
    def place_hold(
        self, show_id: str, seat_ids: Iterable[str], customer_id: str | None = None
    ) -> Hold:
        """Hold exactly these seats, all or none."""
        wanted = list(dict.fromkeys(seat_ids))
        if not wanted:
            raise seating.UnknownSeat([])
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

    def resolve_stuck(self, limit: int = 200) -> int:
        """The stuck sweep: payment attempts left initiated or in progress, and bookings left
        pending, for longer than `stuck_after_seconds` (a crash mid-checkout, a gateway timeout,
        a customer who never finished 3-D Secure). Each attempt is settled by what the gateway
        says of it (confirm, fail, or refund when its seats are gone); a pending booking with no
        attempt in flight and no live hold fails. What the gateway cannot settle (unreachable,
        still processing) stays for the next run and in the admins' payment views. Returns how
        many payments and bookings it settled."""
        now = self.clock.now()
        before = now - timedelta(seconds=self.stuck_after_seconds)
        with self.uow() as uow:
            stuck = [
                (p, uow.payments.idempotency_key(p.id))
                for p in uow.payments.unresolved(before, limit)
            ]
        settled = 0
        for payment, key in stuck:
            settled += self._settle_attempt(payment, key or f"{payment.id}:create")
        with self.uow() as uow:
            pending = uow.bookings.stale_pending(before, limit)
        for booking in pending:
            settled += self._settle_pending(booking.id, now)
        return settled

    def _settle_attempt(self, payment: Payment, key: str) -> int:
        try:
            gw = self.gateways(payment.gateway)
            found = gw.lookup(payment.id, key, payment.gateway_ref)
        except (GatewayError, BookingError):
            return 0  # cannot tell now: the next run asks again
        if found is None:
            target, cause, ref = (
                PaymentStatus.FAILED,
                "stuck sweep: the gateway has no record of this attempt; nothing was charged",
                None,
            )
        elif found.status == GatewayStatus.SUCCEEDED:
            target, cause, ref = (
                PaymentStatus.SUCCEEDED,
                "stuck sweep: gateway says succeeded",
                found.gateway_ref,
            )
        elif found.status == GatewayStatus.FAILED:
            target, cause, ref = (
                PaymentStatus.FAILED,
                "stuck sweep: gateway says failed",
                found.gateway_ref,
            )
        else:
            return 0  # still processing or waiting for the customer at the gateway
        try:
            self._transition(
                payment.id,
                target,
                cause=cause,
                gateway_ref=ref,
                failure=cause if target == PaymentStatus.FAILED else None,
            )
        except (ConcurrentUpdate, SeatsUnavailable):
            return 0  # settled meanwhile by a webhook or another sweep
        return 1

    def _settle_pending(self, booking_id: str, now: datetime) -> int:
        with self.uow() as uow:
            booking = uow.bookings.get(booking_id)
            if booking is None or booking.status != BookingStatus.PENDING:
                return 0
            attempts = uow.payments.for_booking(booking_id)
            if any(
                p.status
                in (PaymentStatus.INITIATED, PaymentStatus.IN_PROGRESS, PaymentStatus.SUCCEEDED)
                for p in attempts
            ):
                return 0  # an attempt the sweep above could not settle yet
            hold = uow.holds.get(booking.hold_id) if booking.hold_id else None
            if hold is not None and hold.status == HoldStatus.ACTIVE and hold.expires_at > now:
                return 0  # the customer may still pay
            failed = booking.fail()
            if not uow.bookings.save(failed, expect=BookingStatus.PENDING.value):
                return 0
            uow.emit(
                ev.BookingFailed(
                    booking_id=booking.id,
                    show_id=booking.show_id,
                    customer_id=booking.customer_id,
                    reason="never paid: no payment went through before the hold ended",
                )
            )
            self._commit(uow)
        return 1

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

    # --- checkout and payment ------------------------------------------------------------
    def checkout(
        self,
        hold_id: str,
        customer_id: str,
        *,
        gateway: str = "offline",
        method: PaymentMethod = PaymentMethod.CARD,
        ticket_types: Mapping[str, str] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> CheckoutResult:
        """Create (or reuse) the pending booking for a hold and start one payment attempt. Every
        attempt is a new Payment with its own idempotency key (reusing one key across attempts
        makes a retry after a decline fail at the gateway)."""
        now = self.clock.now()
        gw = self.gateways(gateway)
        if method not in gw.capabilities:
            raise UnsupportedMethod(
                f"{gateway} does not take {method.value} payments",
                method=method.value,
                offered=sorted(m.value for m in gw.capabilities),
            )
        started = None
        for _ in range(CHECKOUT_TRIES):
            started = self._start_attempt(hold_id, customer_id, gw.name, method, ticket_types, now)
            if started is not None:
                break
        if started is None:
            raise ConcurrentUpdate(f"hold {hold_id} is being checked out meanwhile; try again")
        if isinstance(started, CheckoutResult):
            return started  # a repeat: the attempt already made, and no second charge
        booking, payment, key = started
        request = PaymentRequest(
            payment_id=payment.id,
            booking_id=booking.id,
            amount=payment.amount,
            method=method,
            idempotency_key=key,
            details=dict(details or {}),
            description=f"Marquee booking {booking.code}",
        )
        try:
            result = gw.create_payment(request)
        except GatewayError as err:
            self._transition(
                payment.id,
                PaymentStatus.IN_PROGRESS,
                cause=f"gateway did not answer: {err}; outcome unknown",
            )
            raise GatewayUnavailable(
                f"the payment gateway did not answer: {err}",
                retry_after=err.retry_after,
                payment_id=payment.id,
            ) from err
        return self._apply_result(payment.id, result, cause=f"{gw.name} create_payment")

    def _start_attempt(
        self,
        hold_id: str,
        customer_id: str,
        gateway: str,
        method: PaymentMethod,
        ticket_types: Mapping[str, str] | None,
        now: datetime,
    ) -> CheckoutResult | tuple[Booking, Payment, str] | None:
        """One transaction: find or create the hold's one live booking and its one attempt in
        flight. Returns the existing attempt (a repeat), or the new booking, payment and gateway
        key, or None when a concurrent checkout won a race (the caller reads again)."""
        with self.uow() as uow:
            hold = uow.holds.get(hold_id)
            if hold is None:
                raise UnknownHold(f"no hold {hold_id!r}")
            booking = uow.bookings.by_hold(hold.id)
            attempts = uow.payments.for_booking(booking.id) if booking is not None else []
            if booking is not None:
                repeat = self._repeat(booking, attempts)
                if repeat is not None:
                    return repeat
            self._require_live(hold, now)
            ctx = self._context(uow, hold.show_id)
            if booking is None or booking.status != BookingStatus.PENDING:
                if booking is not None and booking.status == BookingStatus.CONFIRMED:
                    raise PaymentStateConflict(
                        f"booking {booking.code} is already paid", booking_id=booking.id
                    )
                ctx.require_on_sale()
                booking = self._new_booking(hold, ctx, customer_id, ticket_types or {}, now)
                if not uow.bookings.add(booking):
                    return None  # another checkout made the hold's booking first
                attempts = []
                uow.emit(
                    ev.BookingCreated(
                        booking_id=booking.id,
                        code=booking.code,
                        hold_id=hold.id,
                        show_id=hold.show_id,
                        customer_id=customer_id,
                        total=booking.total,
                    )
                )
            payment = Payment(
                id=new_id("pay"),
                booking_id=booking.id,
                gateway=gateway,
                amount=booking.total,
                method=method,
                created_at=now,
            )
            # Derived from the booking and the attempt's number: whichever process sends this
            # attempt, the gateway sees one key and makes at most one charge.
            key = attempt_key(booking.id, len(attempts) + 1)
            if not uow.payments.add(payment, idempotency_key=key):
                return None  # another checkout started this booking's attempt first
            uow.emit(
                ev.PaymentInitiated(
                    payment_id=payment.id,
                    booking_id=booking.id,
                    gateway=gateway,
                    amount=payment.amount,
                )
            )
            self._commit(uow)
        return booking, payment, key

    @staticmethod
    def _repeat(booking: Booking, attempts: list[Payment]) -> CheckoutResult | None:
        """A checkout of a hold that already has its booking: the attempt in flight or the
        payment that went through is the answer (nothing is charged again). None when a new
        attempt is due (every earlier one failed)."""
        if booking.status == BookingStatus.FAILED:
            return None
        live = [
            p
            for p in attempts
            if p.status
            in (
                PaymentStatus.INITIATED,
                PaymentStatus.IN_PROGRESS,
                PaymentStatus.SUCCEEDED,
                PaymentStatus.PARTIALLY_REFUNDED,
            )
        ]
        if not live:
            return None
        return CheckoutResult(booking=booking, payment=live[-1], created=False)

    def _new_booking(
        self,
        hold: Hold,
        ctx: ShowContext,
        customer_id: str,
        ticket_types: Mapping[str, str],
        now: datetime,
    ) -> Booking:
        seat_map = ctx.layout.seat_map()
        fee = ctx.show.booking_fee if ctx.show.booking_fee and ctx.show.booking_fee.amount else None
        tickets = []
        for seat_id in hold.seat_ids:
            seat = seat_map[seat_id]
            price = ctx.show.price_for(seat.category, ticket_types.get(seat_id))
            if price is None:
                raise UnknownTicketType(
                    f"no price for seat {seat.label} ({seat.category})"
                    + (f" as {ticket_types[seat_id]}" if seat_id in ticket_types else ""),
                    seat=seat_id,
                )
            tickets.append(
                Ticket(
                    seat_id=seat_id,
                    label=seat.label,
                    category=seat.category,
                    ticket_type=price.code,
                    price=price.price,
                    fee=fee,
                )
            )
        total = Money(amount=sum(t.charged for t in tickets), currency=tickets[0].price.currency)
        return Booking(
            id=new_id("bkg"),
            code=new_booking_code(),
            show_id=hold.show_id,
            customer_id=customer_id,
            hold_id=hold.id,
            tickets=tuple(tickets),
            total=total,
            created_at=now,
        )

    def confirm_payment(
        self, payment_id: str, details: Mapping[str, Any] | None = None
    ) -> CheckoutResult:
        """Second step after a `requires_action` (3-D Secure) answer."""
        with self.uow() as uow:
            payment = uow.payments.get(payment_id)
        if payment is None:
            raise UnknownPayment(f"no payment {payment_id!r}")
        if payment.status != PaymentStatus.IN_PROGRESS or not payment.gateway_ref:
            raise PaymentStateConflict(
                f"payment {payment_id} is {payment.status.value}", status=payment.status.value
            )
        gw = self.gateways(payment.gateway)
        try:
            result = gw.confirm_payment(payment.gateway_ref, f"{payment.id}:confirm", details)
        except GatewayError as err:
            raise GatewayUnavailable(
                f"the payment gateway did not answer: {err}",
                retry_after=err.retry_after,
                payment_id=payment_id,
            ) from err
        return self._apply_result(payment_id, result, cause=f"{gw.name} confirm_payment")

    def _apply_result(self, payment_id: str, result: GatewayResult, cause: str) -> CheckoutResult:
        target = {
            GatewayStatus.SUCCEEDED: PaymentStatus.SUCCEEDED,
            GatewayStatus.FAILED: PaymentStatus.FAILED,
            GatewayStatus.REQUIRES_ACTION: PaymentStatus.IN_PROGRESS,
            GatewayStatus.PROCESSING: PaymentStatus.IN_PROGRESS,
        }[result.status]
        if result.failure_message:
            cause = f"{cause}: {result.failure_message}"
        payment, booking = self._transition(
            payment_id,
            target,
            cause=cause,
            gateway_ref=result.gateway_ref,
            failure=result.failure_message,
        )
        if result.status == GatewayStatus.FAILED:
            raise PaymentDeclined(
                result.failure_message or "the payment was declined",
                payment_id=payment_id,
                decline_code=result.failure_code,
            )
        if booking.status == BookingStatus.FAILED:
            # The money went through but the seats did not: never a success answer. The refund
            # is already queued (RefundRequested, same transaction).
            raise PaidBookingFailed(
                f"booking {booking.code} could not be confirmed (its seats were no longer "
                "available); the payment is being refunded",
                booking_id=booking.id,
                payment_id=payment_id,
            )
        return CheckoutResult(
            booking=booking,
            payment=payment,
            next_action=result.action if result.status == GatewayStatus.REQUIRES_ACTION else None,
            client_secret=result.client_secret,
        )

    def _transition(
        self,
        payment_id: str,
        target: PaymentStatus,
        *,
        cause: str,
        gateway_ref: str | None = None,
        failure: str | None = None,
        event_id: str | None = None,
        refunded: int | None = None,
    ) -> tuple[Payment, Booking]:
        with self.uow() as uow:
            payment = uow.payments.get(payment_id)
            if payment is None:
                raise UnknownPayment(f"no payment {payment_id!r}")
            payment, booking = self._move(
                uow,
                payment,
                target,
                cause=cause,
                gateway_ref=gateway_ref,
                failure=failure,
                event_id=event_id,
                refunded=refunded,
            )
            self._commit(uow)
            return payment, booking

    def _move(
        self,
        uow: UnitOfWork,
        payment: Payment,
        target: PaymentStatus,
        *,
        cause: str,
        gateway_ref: str | None = None,
        failure: str | None = None,
        event_id: str | None = None,
        refunded: int | None = None,
        refund_reason: str = "gateway",
    ) -> tuple[Payment, Booking]:
        """Apply one payment move inside `uow`, with its consequences (fulfilment, events)."""
        now = self.clock.now()
        before = payment
        updated, steps = advance(
            payment, target, at=now, cause=cause, event_id=event_id, refunded=refunded
        )
        if gateway_ref and updated.gateway_ref != gateway_ref:
            updated = updated.model_copy(update={"gateway_ref": gateway_ref})
        booking = uow.bookings.get(payment.booking_id)
        if booking is None:
            raise UnknownBooking(f"payment {payment.id} points at no booking")
        if updated == before:
            return before, booking
        if not uow.payments.save(
            updated,
            expect=before.status,
            expect_refunded=before.refunded.amount if before.refunded else 0,
        ):
            raise ConcurrentUpdate(f"payment {payment.id} changed meanwhile; try again")
        for step in steps:
            uow.payments.add_transition(step)
            uow.emit(
                ev.PaymentStatusChanged(
                    payment_id=payment.id,
                    booking_id=booking.id,
                    from_status=step.from_status.value,
                    to_status=step.to_status.value,
                    cause=step.cause,
                )
            )
        reached = {s.to_status for s in steps}
        if PaymentStatus.SUCCEEDED in reached:
            uow.emit(
                ev.PaymentSucceeded(
                    payment_id=payment.id,
                    booking_id=booking.id,
                    amount=updated.amount,
                    gateway_ref=updated.gateway_ref,
                )
            )
            booking = self._fulfil(uow, booking, updated)
        if PaymentStatus.FAILED in reached:
            uow.emit(
                ev.PaymentFailed(
                    payment_id=payment.id, booking_id=booking.id, reason=failure or cause
                )
            )
        if reached & {PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED}:
            prior = before.refunded.amount if before.refunded else 0
            assert updated.refunded is not None
            delta = updated.refunded.amount - prior
            uow.emit(
                ev.RefundIssued(
                    payment_id=payment.id,
                    booking_id=booking.id,
                    amount=updated.amount.model_copy(update={"amount": delta}),
                    refunded_total=updated.refunded,
                    reason=refund_reason,
                    customer_id=booking.customer_id,
                )
            )
        if PaymentStatus.REFUNDED in reached and self._paid_by(uow, booking, payment.id):
            # All the money went back (a refund made at the gateway, not by us): the booking
            # cannot stand, its e-ticket stops being valid and its seats go back on sale.
            booking = self._cancel_for_money(
                uow, booking, "refunded in full at the payment gateway", updated.refunded
            )
        return updated, booking

    @staticmethod
    def _paid_by(uow: UnitOfWork, booking: Booking, payment_id: str) -> bool:
        """True when `payment_id` is what pays for this confirmed booking (no other payment that
        went through stands behind it: a second charge refunded leaves the booking alone)."""
        if booking.status != BookingStatus.CONFIRMED:
            return False
        return not any(
            p.id != payment_id
            and p.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED)
            for p in uow.payments.for_booking(booking.id)
        )

    def _disputed(self, uow: UnitOfWork, payment: Payment, event: GatewayEvent) -> bool:
        """A chargeback: the charge happened (a dispute before its success event walks the
        payment there first), and the booking it paid for is cancelled."""
        changed = False
        if payment.status in (PaymentStatus.INITIATED, PaymentStatus.IN_PROGRESS):
            after, _ = self._move(
                uow,
                payment,
                PaymentStatus.SUCCEEDED,
                cause=f"{event.gateway} event {event.type}: the charge was made",
                gateway_ref=event.gateway_ref,
                event_id=event.event_id,
            )
            changed = after != payment
            payment = after
        booking = uow.bookings.get(payment.booking_id)
        if booking is not None and self._paid_by(uow, booking, payment.id):
            self._cancel_for_money(
                uow, booking, "disputed at the payment gateway", payment.refunded
            )
            changed = True
        return changed

    def _cancel_for_money(
        self, uow: UnitOfWork, booking: Booking, reason: str, refunded: Money | None
    ) -> Booking:
        """Cancel a confirmed booking whose money is gone. Seats are released for sale when the
        show is still to come (the policy); after the start they stay as they are."""
        now = self.clock.now()
        cancelled = booking.cancel(now)
        if not uow.bookings.save(cancelled, expect=BookingStatus.CONFIRMED.value):
            return booking
        show = uow.catalog.show(booking.show_id)
        if show is None or show.start > now:
            uow.seats.unsell(booking.show_id, booking.id)
        zero = booking.total.model_copy(update={"amount": 0})
        uow.emit(
            ev.BookingCancelled(
                booking_id=booking.id,
                code=booking.code,
                show_id=booking.show_id,
                theatre_id=show.theatre_id if show else "",
                customer_id=booking.customer_id,
                seat_ids=tuple(t.seat_id for t in booking.tickets),
                refund=refunded or zero,
                fee=zero,
                remote_ref=booking.remote_ref,
            )
        )
        return cancelled

    def _fulfil(self, uow: UnitOfWork, booking: Booking, payment: Payment) -> Booking:
        """The money is in: confirm the booking, or refund if there is nothing left to sell."""
        now = self.clock.now()
        if booking.status != BookingStatus.PENDING:
            # Paid twice (two attempts both went through) or paid for a dead booking.
            uow.emit(
                ev.RefundRequested(
                    payment_id=payment.id,
                    booking_id=booking.id,
                    amount=payment.amount,
                    reason=f"booking already {booking.status.value}",
                    idempotency_key=f"refund:{payment.id}:full",
                )
            )
            return booking
        hold = uow.holds.get(booking.hold_id) if booking.hold_id else None
        seat_ids = [t.seat_id for t in booking.tickets]
        if hold is None:
            raise UnknownHold(f"booking {booking.id} has no hold")
        retaken = False
        missing = (
            uow.seats.sell(booking.show_id, seat_ids, hold.id, booking.id)
            if hold.status == HoldStatus.ACTIVE
            else seat_ids
        )
        if missing:
            # The hold ended first (released, expired, or its seats lapsed and were re-taken).
            # Re-take the same seats if they are still free, under the same hold id.
            taken = uow.seats.take(
                booking.show_id, seat_ids, hold.id, now=now, expires_at=now + timedelta(minutes=5)
            )
            if taken:
                failed = booking.fail()
                uow.bookings.save(failed, expect=BookingStatus.PENDING.value)
                uow.emit(
                    ev.BookingFailed(
                        booking_id=booking.id,
                        show_id=booking.show_id,
                        customer_id=booking.customer_id,
                        reason="paid after the hold expired; seats taken",
                    )
                )
                uow.emit(
                    ev.LateSuccessRefunded(
                        payment_id=payment.id,
                        booking_id=booking.id,
                        customer_id=booking.customer_id,
                        seat_ids=tuple(seat_ids),
                    )
                )
                uow.emit(
                    ev.RefundRequested(
                        payment_id=payment.id,
                        booking_id=booking.id,
                        amount=payment.amount,
                        reason="paid after the hold expired and the seats were sold",
                        idempotency_key=f"refund:{payment.id}:full",
                    )
                )
                hold_gone = hold.expire() if hold.status == HoldStatus.ACTIVE else None
                if hold_gone is not None and uow.holds.save(hold_gone, expect=HoldStatus.ACTIVE):
                    uow.seats.release(booking.show_id, seat_ids, hold.id)
                    show = uow.catalog.show(booking.show_id)
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
                return failed
            retaken = True
            still = uow.seats.sell(booking.show_id, seat_ids, hold.id, booking.id)
            if still:  # we hold them this very transaction; refuse loudly rather than oversell
                raise SeatsUnavailable(still, "seats are no longer held for this booking")
        converted = hold.convert(retaken=retaken)
        uow.holds.save(converted, expect=hold.status)
        confirmed = booking.confirm(now)
        if not uow.bookings.save(confirmed, expect=BookingStatus.PENDING.value):
            raise ConcurrentUpdate(f"booking {booking.id} changed meanwhile; try again")
        show = uow.catalog.show(booking.show_id)
        uow.emit(
            ev.BookingConfirmed(
                booking_id=booking.id,
                code=booking.code,
                show_id=booking.show_id,
                theatre_id=show.theatre_id if show else "",
                customer_id=booking.customer_id,
                seat_ids=tuple(seat_ids),
                total=booking.total,
                hold_id=hold.id,
                remote_hold_ref=converted.remote_ref,
                payment_id=payment.id,
            )
        )
        return confirmed

    def handle_gateway_event(self, gateway: str, payload: bytes, headers: Mapping[str, str]) -> str:
        """A webhook: verify (raises InvalidSignature), de-duplicate, apply. Returns what
        happened: applied, duplicate, stale, ignored or unknown_payment."""
        event = self.gateways(gateway).parse_event(payload, headers)
        return self.apply_gateway_event(event)

    def apply_gateway_event(self, event: GatewayEvent) -> str:
        target = {
            GatewayEventKind.PROCESSING: PaymentStatus.IN_PROGRESS,
            GatewayEventKind.SUCCEEDED: PaymentStatus.SUCCEEDED,
            GatewayEventKind.FAILED: PaymentStatus.FAILED,
            GatewayEventKind.REFUNDED: PaymentStatus.REFUNDED,
        }.get(event.kind)
        with self.uow() as uow:
            payment = None
            if event.payment_id:
                payment = uow.payments.get(event.payment_id)
            if payment is None and event.gateway_ref:
                payment = uow.payments.by_gateway_ref(event.gateway, event.gateway_ref)
            disputed = event.kind == GatewayEventKind.DISPUTED
            if (target is not None or disputed) and payment is None:
                # Not recorded as seen: the gateway retries, by which time it may be known.
                return "unknown_payment"
            if not uow.payments.mark_event_seen(event.gateway, event.event_id, event.type):
                return "duplicate"
            if disputed and payment is not None:
                changed = self._disputed(uow, payment, event)
                self._commit(uow)
                return "applied" if changed else "stale"
            if target is None or payment is None:
                self._commit(uow)
                return "ignored"
            before = payment
            after, _ = self._move(
                uow,
                payment,
                target,
                cause=f"{event.gateway} event {event.type or event.kind}",
                gateway_ref=event.gateway_ref,
                failure=event.failure_message,
                event_id=event.event_id,
                refunded=event.amount_refunded,
            )
            self._commit(uow)
            return (
                "applied"
                if after.status != before.status or after.refunded != before.refunded
                else "stale"
            )

    # --- refunds and cancellation --------------------------------------------------------
    def issue_refund(
        self, payment_id: str, amount: Money, reason: str, idempotency_key: str
    ) -> Payment:
        """Refund through the gateway and record it. Idempotent on `idempotency_key`: the
        gateway is asked with that key, and the result is recorded once."""
        with self.uow() as uow:
            payment = uow.payments.get(payment_id)
        if payment is None:
            raise UnknownPayment(f"no payment {payment_id!r}")
        if (
            payment.status
            not in (
                PaymentStatus.SUCCEEDED,
                PaymentStatus.PARTIALLY_REFUNDED,
                PaymentStatus.REFUNDED,
            )
            or not payment.gateway_ref
        ):
            raise PaymentStateConflict(
                f"payment {payment_id} is {payment.status.value}; nothing to refund",
                status=payment.status.value,
            )
        if amount.amount < 0:
            raise InvalidAmount("a refund amount cannot be negative", amount=amount.amount)
        already = payment.refunded.amount if payment.refunded else 0
        amount = amount.model_copy(
            update={"amount": min(amount.amount, payment.amount.amount - already)}
        )
        gw = self.gateways(payment.gateway)
        if amount.amount > 0:
            try:
                gw.refund(payment.gateway_ref, amount, idempotency_key)
            except GatewayError as err:
                raise GatewayUnavailable(
                    f"refund not confirmed by the gateway: {err}", retry_after=err.retry_after
                ) from err
        with self.uow() as uow:
            if not uow.payments.mark_event_seen(payment.gateway, f"refund:{idempotency_key}"):
                return uow.payments.get(payment_id) or payment
            current = uow.payments.get(payment_id)
            assert current is not None
            done = current.refunded.amount if current.refunded else 0
            if amount.amount <= 0:
                self._commit(uow)
                return current
            after, _ = self._move(
                uow,
                current,
                PaymentStatus.REFUNDED,
                cause=f"refund {idempotency_key}: {reason}",
                refunded=done + amount.amount,
                refund_reason=reason,
            )
            self._commit(uow)
            return after

    def cancel_booking(self, booking_id: str, customer_id: str | None = None) -> CancellationResult:
        now = self.clock.now()
        with self.uow() as uow:
            booking = uow.bookings.get(booking_id)
            if booking is None or (customer_id is not None and booking.customer_id != customer_id):
                raise UnknownBooking(f"no booking {booking_id!r}")
            if booking.status != BookingStatus.CONFIRMED:
                raise BookingNotCancellable(
                    f"booking {booking.code} is {booking.status.value}", status=booking.status.value
                )
            ctx = self._context(uow, booking.show_id)
            if ctx.selling.forwards and not ctx.selling.can_cancel:
                raise BookingNotCancellable(
                    f"booking {booking.code} was sold through the theatre's system, which "
                    "cannot cancel sales made online: the theatre's box office can",
                    reason="theatre_cannot_cancel",
                )
            policy = ctx.theatre.rules.cancellation
            deadline = ctx.show.start - timedelta(minutes=policy.cutoff_minutes)
            if now >= deadline:
                raise CancellationClosed(
                    f"bookings for this show can be cancelled until {deadline.isoformat()}",
                    deadline=deadline.isoformat(),
                )
            fee = booking.total.percent(policy.fee_percent)
            if policy.fee_fixed is not None and policy.fee_fixed.currency == fee.currency:
                fee = fee + policy.fee_fixed
            fee = min(fee, booking.total, key=lambda m: m.amount)
            # A negative fee (a misconfigured rule) must not refund more than was paid.
            fee = max(fee, booking.total.model_copy(update={"amount": 0}), key=lambda m: m.amount)
            refund = booking.total - fee
            cancelled = booking.cancel(now)
            if not uow.bookings.save(cancelled, expect=BookingStatus.CONFIRMED.value):
                raise ConcurrentUpdate(f"booking {booking.code} changed meanwhile; try again")
            seat_ids = tuple(t.seat_id for t in booking.tickets)
            uow.seats.unsell(booking.show_id, booking.id)
            uow.emit(
                ev.BookingCancelled(
                    booking_id=booking.id,
                    code=booking.code,
                    show_id=booking.show_id,
                    theatre_id=ctx.theatre.id,
                    customer_id=booking.customer_id,
                    seat_ids=seat_ids,
                    refund=refund,
                    fee=fee,
                    remote_ref=booking.remote_ref,
                )
            )
            paid = [
                p
                for p in uow.payments.for_booking(booking.id)
                if p.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED)
            ]
            request = None
            if refund.amount > 0 and paid:
                request = ev.RefundRequested(
                    payment_id=paid[0].id,
                    booking_id=booking.id,
                    amount=refund,
                    reason="cancelled by customer",
                    idempotency_key=f"refund:{booking.id}:cancel",
                )
                uow.emit(request)
            self._commit(uow)
        issued = False
        if request is not None:
            # Try at once for a prompt answer; if the gateway is down the outbox handler for
            # RefundRequested retries with the same key.
            try:
                self.issue_refund(
                    request.payment_id, request.amount, request.reason, request.idempotency_key
                )
                issued = True
            except GatewayUnavailable:
                issued = False
        return CancellationResult(booking=cancelled, refund=refund, fee=fee, refund_issued=issued)

    def cancel_at_theatre(self, booking_id: str) -> None:
        """Handler work for BookingCancelled: refund the sale at the POS."""
        with self.uow() as uow:
            booking = uow.bookings.get(booking_id)
            if booking is None or booking.remote_ref is None:
                return
            ctx = self._context(uow, booking.show_id)
        link = self._link(ctx.theatre)
        if link is None:
            return
        remote = self._remote_order(booking)
        if remote:
            link.cancel(ctx.show, remote, f"cancel:{booking.id}")

    @staticmethod
    def _remote_order(booking: Booking) -> str | None:
        # remote_ref is "<POS order id>|<POS booking number>" for a committed legacy sale.
        if booking.remote_ref is None:
            return None
        return booking.remote_ref.split("|", 1)[0]

    # --- committing the sale at the POS ---------------------------------------------------
    def commit_sale(self, booking_id: str) -> str | None:
        """Handler work for BookingConfirmed: make the sale final at a legacy theatre's POS.
        Raises PosUnavailable for the outbox to retry; a definite refusal fails the sale (refund
        + conflict for admins). Returns the POS's booking number (None for native theatres)."""
        with self.uow() as uow:
            booking = uow.bookings.get(booking_id)
            if booking is None:
                raise UnknownBooking(f"no booking {booking_id!r}")
            if booking.status != BookingStatus.CONFIRMED or booking.remote_ref:
                return booking.remote_ref.split("|")[-1] if booking.remote_ref else None
            ctx = self._context(uow, booking.show_id)
            hold = uow.holds.get(booking.hold_id) if booking.hold_id else None
        link = self._link(ctx.theatre)
        if link is None:
            return None
        try:
            order = hold.remote_ref if hold else None
            if order is None:
                # Re-taken after expiry (or never forwarded): hold again at the POS first.
                seats = seats_by_id(ctx.layout, [t.seat_id for t in booking.tickets])
                order = link.hold(
                    ctx.show, seats, ctx.theatre.rules.hold_ttl_seconds, f"sale-hold:{booking.id}"
                ).ref
            number = link.confirm(
                ctx.show, order, booking.code, booking.total, f"sale:{booking.id}"
            )
        except (PosRefused, PosOrderGone) as refusal:
            self.fail_sale(booking_id, f"the theatre refused the sale: {refusal}")
            return None
        cancelled_meanwhile = False
        with self.uow() as uow:
            current = uow.bookings.get(booking_id)
            if current is not None and current.remote_ref is None:
                uow.bookings.save(
                    current.committed_at_theatre(f"{order}|{number}"),
                    expect=current.status.value,
                )
                uow.emit(ev.SaleCommitted(booking_id=booking_id, remote_ref=number))
                self._commit(uow)
                cancelled_meanwhile = current.status != BookingStatus.CONFIRMED
        if cancelled_meanwhile:
            # Cancelled (and refunded) while the POS was taking the sale: its cancel found no
            # POS order to undo, so undo it now - or tell the admins the POS still sells seats
            # we refunded. Never a refunded booking whose seats the POS quietly keeps sold.
            self._undo_late_sale(booking_id, ctx, link, order)
        return number

    def _undo_late_sale(
        self, booking_id: str, ctx: ShowContext, link: TheatreLink, order: str
    ) -> None:
        try:
            link.cancel(ctx.show, order, f"cancel:{booking_id}")
            return
        except (PosUnavailable, PosRefused) as err:
            reason = (
                "cancelled while the theatre's POS was committing the sale, and the POS "
                f"did not take the cancel: {err}; the POS may still sell these seats"
            )
        except PosOrderGone:
            return
        with self.uow() as uow:
            booking = uow.bookings.get(booking_id)
            uow.emit(
                ev.SaleCommitFailed(
                    booking_id=booking_id,
                    show_id=booking.show_id if booking else ctx.show.id,
                    theatre_id=ctx.theatre.id,
                    reason=reason,
                )
            )
            self._commit(uow)

    def fail_sale(self, booking_id: str, reason: str, *, raise_conflict: bool = True) -> None:
        """The POS will not take the sale (refused, or retries exhausted): refund the customer
        and raise a conflict for admins (not when an admin is resolving one already). The seats
        stay unavailable here: the POS says they are not ours, and the next inventory sync tells
        us whose they are."""
        with self.uow() as uow:
            booking = uow.bookings.get(booking_id)
            if booking is None or booking.status != BookingStatus.CONFIRMED:
                return
            failed = booking.fail()
            if not uow.bookings.save(failed, expect=BookingStatus.CONFIRMED.value):
                raise ConcurrentUpdate(f"booking {booking_id} changed meanwhile")
            show = uow.catalog.show(booking.show_id)
            if raise_conflict:
                uow.emit(
                    ev.SaleCommitFailed(
                        booking_id=booking_id,
                        show_id=booking.show_id,
                        theatre_id=show.theatre_id if show else "",
                        reason=reason,
                    )
                )
            uow.emit(
                ev.BookingFailed(
                    booking_id=booking_id,
                    show_id=booking.show_id,
                    customer_id=booking.customer_id,
                    reason=reason,
                )
            )
            for p in uow.payments.for_booking(booking_id):
                if p.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED):
                    left = p.amount.amount - (p.refunded.amount if p.refunded else 0)
                    uow.emit(
                        ev.RefundRequested(
                            payment_id=p.id,
                            booking_id=booking_id,
                            amount=p.amount.model_copy(update={"amount": left}),
                            reason="the theatre refused the sale",
                            idempotency_key=f"refund:{p.id}:sale-failed",
                        )
                    )
            self._commit(uow)

    # --- queries ---------------------------------------------------------------------------
    def get_booking(self, booking_id: str) -> Booking:
        with self.uow() as uow:
            booking = uow.bookings.get(booking_id)
        if booking is None:
            raise UnknownBooking(f"no booking {booking_id!r}")
        return booking

    def find_booking(self, code: str) -> Booking:
        with self.uow() as uow:
            booking = uow.bookings.by_code(code.strip().upper())
        if booking is None:
            raise UnknownBooking(f"no booking with code {code!r}")
        return booking

    def get_payment(self, payment_id: str) -> Payment:
        with self.uow() as uow:
            payment = uow.payments.get(payment_id)
        if payment is None:
            raise UnknownPayment(f"no payment {payment_id!r}")
        return payment

    def payment_history(self, payment_id: str) -> list:
        with self.uow() as uow:
            return uow.payments.transitions(payment_id)


def ticket_payload(booking: Booking) -> str:
    """What the e-ticket's QR code encodes: the code and the seats, signed for the door
    scanner (booking/tickets.py)."""
    return tickets.signer().encode(booking)


__all__ = [
    "BookingService",
    "CancellationResult",
    "CheckoutResult",
    "SeatMap",
    "SeatView",
    "new_booking_code",
    "ticket_payload",
]
