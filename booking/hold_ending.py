"""How a hold ends without a sale, wherever it ends: the customer lets go, the sweep expires it,
or a late payment finds it lapsed. The state change, the seats given back and the event that
tells the theatre's POS to let go too are one step, so no path forgets one of them."""

from __future__ import annotations

from collections.abc import Sequence

from booking import events as ev
from booking.keys import remote_key
from booking.ports import UnitOfWork
from canonical.orders import Hold, HoldStatus


def free_hold(
    uow: UnitOfWork, hold: Hold, ended: Hold, seat_ids: Sequence[str] | None = None
) -> bool:
    """Save `ended` (`hold` released or expired) if `hold` is still active, give its seats
    (or `seat_ids`) back and emit HoldReleased or HoldExpired. False, with nothing done, when
    the hold was converted, released or expired by someone else meanwhile."""
    if not uow.holds.save(ended, expect=HoldStatus.ACTIVE):
        return False
    uow.seats.release(hold.show_id, list(seat_ids or hold.seat_ids), hold.id)
    show = uow.catalog.show(hold.show_id)
    event = ev.HoldExpired if ended.status == HoldStatus.EXPIRED else ev.HoldReleased
    uow.emit(
        event(
            hold_id=hold.id,
            show_id=hold.show_id,
            theatre_id=show.theatre_id if show else "",
            seat_ids=hold.seat_ids,
            remote_ref=hold.remote_ref,
            remote_key=remote_key(hold.id),
        )
    )
    return True
