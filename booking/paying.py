"""Checkout and payments: one live booking per hold, its payment attempts at the gateway (keys
derived from the booking), the gateway's answers and events (3-D Secure, refunds and disputes
made at the gateway), confirming a paid booking, and the sweep that settles what a crash or a
gateway timeout left unresolved. The gateway is called between transactions, never inside one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from booking import events as ev
from booking.errors import (
    BookingError,
    ConcurrentUpdate,
    GatewayUnavailable,
    PaymentDeclined,
    PaymentStateConflict,
    SeatsUnavailable,
    UnknownBooking,
    UnknownHold,
    UnknownPayment,
    UnknownTicketType,
    UnsupportedMethod,
)
from booking.holding import Holds
from booking.payment_states import advance
from booking.ports import (
    GatewayError,
    GatewayEvent,
    GatewayEventKind,
    GatewayResult,
    GatewayStatus,
    PaymentRequest,
    UnitOfWork,
)
from booking.refusals import PaidBookingFailed
from booking.service_base import (
    CHECKOUT_TRIES,
    CheckoutResult,
    attempt_key,
    new_booking_code,
    remote_key,
)
from booking.show_context import ShowContext
from canonical.identity import new_id
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


class Payments(Holds):
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

    # --- payments left unresolved (the stuck sweep) ------------------------------------
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
