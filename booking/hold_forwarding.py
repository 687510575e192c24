"""Holds at a legacy theatre's POS: forwarding a hold just taken here (and undoing it here when
the POS refuses or does not answer), and letting go of a hold at the POS once it ended here.
"""

from __future__ import annotations

from booking import events as ev
from booking.commands import ReleaseAtTheatre
from booking.deps import Deps, commit, pos_link, show_context
from booking.errors import HoldExpired, SeatsUnavailable, TheatreUnavailable
from booking.hold_checks import placed
from booking.ports import PosOrderGone, PosRefused, PosUnavailable, TheatreLink, seats_by_id
from booking.show_context import ShowContext
from canonical.catalog import Seat
from canonical.inventory import SeatStatus
from canonical.orders import Hold, HoldStatus


def forward_hold(
    deps: Deps, hold: Hold, ctx: ShowContext, seats: list[Seat], link: TheatreLink, key: str
) -> Hold:
    # The POS hold lasts twice the TTL so the one allowed extension needs no remote call;
    # our own expiry releases it at the POS in any case.
    try:
        remote = link.hold(ctx.show, seats, ctx.theatre.rules.hold_ttl_seconds * 2, key)
    except PosRefused as refusal:
        # Only seats the POS named are taken on its word; a refusal naming none marks
        # nothing sold here (the next inventory sync says whose they are).
        named = [s for s in refusal.seat_ids if s in hold.seat_ids]
        _undo_hold(
            deps,
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
        _undo_hold(
            deps, hold, ctx, reason="theatre_unavailable", forward=True, refused=[], remote_key=key
        )
        raise TheatreUnavailable(
            f"the theatre's system is not answering: {down}", retry_after=down.retry_after
        ) from down
    with deps.uow() as uow:
        current = uow.holds.get(hold.id)
        updated = hold.forwarded(remote.ref)
        if (
            current is not None
            and current.status == HoldStatus.ACTIVE
            and uow.holds.save(updated, expect=HoldStatus.ACTIVE)
        ):
            uow.emit(placed(updated, ctx))
            commit(deps, uow)
            return updated
    # Released or expired while we were talking to the POS: undo the remote hold too.
    with deps.uow() as uow:
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
        commit(deps, uow)
    raise HoldExpired(f"hold {hold.id} ended while the theatre was confirming it", hold_id=hold.id)


def _undo_hold(
    deps: Deps,
    hold: Hold,
    ctx: ShowContext,
    *,
    reason: str,
    forward: bool,
    refused: list[str],
    remote_key: str,
) -> None:
    with deps.uow() as uow:
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
        commit(deps, uow)


def release_at_theatre(cmd: ReleaseAtTheatre, deps: Deps) -> None:
    """Let go of the POS hold after HoldReleased/HoldExpired. Raises PosUnavailable so the
    outbox retries."""
    remote_ref, remote_key = cmd.remote_ref, cmd.remote_key
    if remote_ref is None and remote_key is None:
        return
    with deps.uow() as uow:
        ctx = show_context(deps, uow, cmd.show_id)
    link = pos_link(deps, ctx.theatre)
    if link is None:
        return
    wanted = list(cmd.seat_ids)
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
