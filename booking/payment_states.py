"""The payment state machine: Initiated -> InProgress -> Succeeded | Failed, then Refunded or
PartiallyRefunded (canonical.orders.PAYMENT_TRANSITIONS holds the allowed moves).

Gateways deliver events late, twice, or out of order (a `succeeded` before its `processing`). The
rule here: a step is never skipped and never repeated. An event that lands further along the
graph walks every intermediate step, each stored with the cause "implied by <event>"; an event
for a state already passed (or not reachable any more) is stale and changes nothing.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime

from booking.errors import PaymentStateConflict
from booking.ports import PaymentTransition
from canonical.orders import PAYMENT_TRANSITIONS, Payment, PaymentStatus

S = PaymentStatus


def path(current: PaymentStatus, target: PaymentStatus) -> list[PaymentStatus] | None:
    """The shortest sequence of states after `current` that ends in `target`, or None."""
    if current == target:
        # A repeat is only meaningful as another partial refund (handled by the caller).
        return [target] if target in PAYMENT_TRANSITIONS[current] else None
    seen = {current}
    queue: deque[tuple[PaymentStatus, list[PaymentStatus]]] = deque([(current, [])])
    while queue:
        state, steps = queue.popleft()
        for nxt in sorted(PAYMENT_TRANSITIONS[state]):
            if nxt in seen:
                continue
            if nxt == target:
                return [*steps, nxt]
            seen.add(nxt)
            queue.append((nxt, [*steps, nxt]))
    return None


def advance(
    payment: Payment,
    target: PaymentStatus,
    *,
    at: datetime,
    cause: str,
    event_id: str | None = None,
    refunded: int | None = None,
    strict: bool = False,
) -> tuple[Payment, list[PaymentTransition]]:
    """Move `payment` to `target`, walking intermediate states. Returns the new payment and the
    transitions to store (empty when the move is stale). With `strict`, a stale or impossible
    move raises PaymentStateConflict instead of being ignored."""
    if target in (S.REFUNDED, S.PARTIALLY_REFUNDED):
        if refunded is None:
            raise ValueError("a refund transition needs the cumulative refunded amount")
        already = payment.refunded.amount if payment.refunded else 0
        if refunded <= already:
            return _stale(payment, target, strict)
        target = S.REFUNDED if refunded >= payment.amount.amount else S.PARTIALLY_REFUNDED
    steps = path(payment.status, target)
    if steps is None:
        return _stale(payment, target, strict)
    transitions: list[PaymentTransition] = []
    state = payment.status
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        transitions.append(
            PaymentTransition(
                payment_id=payment.id,
                from_status=state,
                to_status=step,
                at=at,
                cause=cause if last else f"implied by: {cause}",
                event_id=event_id if last else None,
            )
        )
        state = step
    update: dict[str, object] = {"status": state}
    if refunded is not None and state in (S.REFUNDED, S.PARTIALLY_REFUNDED):
        update["refunded"] = payment.amount.model_copy(update={"amount": refunded})
    return payment.model_copy(update=update), transitions


def _stale(
    payment: Payment, target: PaymentStatus, strict: bool
) -> tuple[Payment, list[PaymentTransition]]:
    if strict:
        raise PaymentStateConflict(
            f"payment {payment.id} is {payment.status.value}; it cannot become {target.value}",
            status=payment.status.value,
        )
    return payment, []
