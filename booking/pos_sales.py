"""Committing sales at a legacy theatre's POS after payment, and what follows when the POS will
not take one (refund, a sync conflict for admins, undoing a sale that landed late).
"""

from __future__ import annotations

from booking import events as ev
from booking.commands import CommitSale, FailSale
from booking.deps import Deps, commit, pos_link, show_context
from booking.errors import ConcurrentUpdate, UnknownBooking
from booking.ports import PosOrderGone, PosRefused, PosUnavailable, TheatreLink, seats_by_id
from booking.show_context import ShowContext
from canonical.orders import BookingStatus, PaymentStatus


def commit_sale(cmd: CommitSale, deps: Deps) -> str | None:
    """After BookingConfirmed: make the sale final at a legacy theatre's POS.
    Raises PosUnavailable for the outbox to retry; a definite refusal fails the sale (refund
    + conflict for admins). Returns the POS's booking number (None for native theatres)."""
    booking_id = cmd.booking_id
    with deps.uow() as uow:
        booking = uow.bookings.get(booking_id)
        if booking is None:
            raise UnknownBooking(f"no booking {booking_id!r}")
        if booking.status != BookingStatus.CONFIRMED or booking.remote_ref:
            return booking.remote_ref.split("|")[-1] if booking.remote_ref else None
        ctx = show_context(deps, uow, booking.show_id)
        hold = uow.holds.get(booking.hold_id) if booking.hold_id else None
    link = pos_link(deps, ctx.theatre)
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
        number = link.confirm(ctx.show, order, booking.code, booking.total, f"sale:{booking.id}")
    except (PosRefused, PosOrderGone) as refusal:
        fail_sale(FailSale(booking_id, f"the theatre refused the sale: {refusal}"), deps)
        return None
    cancelled_meanwhile = False
    with deps.uow() as uow:
        current = uow.bookings.get(booking_id)
        if current is not None and current.remote_ref is None:
            uow.bookings.save(
                current.committed_at_theatre(f"{order}|{number}"),
                expect=current.status.value,
            )
            uow.emit(ev.SaleCommitted(booking_id=booking_id, remote_ref=number))
            commit(deps, uow)
            cancelled_meanwhile = current.status != BookingStatus.CONFIRMED
    if cancelled_meanwhile:
        # Cancelled (and refunded) while the POS was taking the sale: its cancel found no
        # POS order to undo, so undo it now - or tell the admins the POS still sells seats
        # we refunded. Never a refunded booking whose seats the POS quietly keeps sold.
        _undo_late_sale(deps, booking_id, ctx, link, order)
    return number


def _undo_late_sale(
    deps: Deps, booking_id: str, ctx: ShowContext, link: TheatreLink, order: str
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
    with deps.uow() as uow:
        booking = uow.bookings.get(booking_id)
        uow.emit(
            ev.SaleCommitFailed(
                booking_id=booking_id,
                show_id=booking.show_id if booking else ctx.show.id,
                theatre_id=ctx.theatre.id,
                reason=reason,
            )
        )
        commit(deps, uow)


def fail_sale(cmd: FailSale, deps: Deps) -> None:
    """The POS will not take the sale (refused, or retries exhausted): refund the customer
    and raise a conflict for admins (not when an admin is resolving one already). The seats
    stay unavailable here: the POS says they are not ours, and the next inventory sync tells
    us whose they are."""
    booking_id, reason = cmd.booking_id, cmd.reason
    with deps.uow() as uow:
        booking = uow.bookings.get(booking_id)
        if booking is None or booking.status != BookingStatus.CONFIRMED:
            return
        failed = booking.fail()
        if not uow.bookings.save(failed, expect=BookingStatus.CONFIRMED.value):
            raise ConcurrentUpdate(f"booking {booking_id} changed meanwhile")
        show = uow.catalog.show(booking.show_id)
        if cmd.raise_conflict:
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
        commit(deps, uow)
