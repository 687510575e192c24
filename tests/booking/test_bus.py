"""The message bus: a command runs its one handler and answers its result; events fan out."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import pytest

from booking import commands
from booking import events as ev
from booking.bus import COMMAND_HANDLERS
from booking.commands import Command, ExpireHolds, PlaceHold, ReleaseHold
from canonical.inventory import SeatStatus
from canonical.orders import HoldStatus
from payments.offline import CARD_SUCCESS


def test_a_command_answers_what_its_handler_did(world):
    hold = world.bus.handle(PlaceHold("shw_sample", ("C5", "C6"), "cus_1"))
    assert world.service.get_hold(hold.id) == hold
    assert world.store.seats["shw_sample"]["C5"].status == SeatStatus.HELD

    released = world.bus.handle(ReleaseHold(hold.id))
    assert released.status == HoldStatus.RELEASED
    assert world.store.seats["shw_sample"]["C5"].status == SeatStatus.AVAILABLE


def test_a_sweep_command_answers_its_count(world):
    world.bus.handle(PlaceHold("shw_sample", ("B5",)))
    world.bus.handle(PlaceHold("shw_sample", ("C5",)))
    assert world.bus.handle(ExpireHolds()) == 0
    world.clock.advance(hours=1)
    assert world.bus.handle(ExpireHolds()) == 2
    assert len(world.events(ev.HoldExpired)) == 2


@dataclass(frozen=True)
class Unregistered(Command[int]):
    n: int


def test_a_command_without_a_handler_is_refused_and_changes_nothing(world):
    before = list(world.store.outbox)
    with pytest.raises(LookupError, match="Unregistered"):
        world.bus.handle(Unregistered(1))
    assert world.store.outbox == before


def test_every_command_has_exactly_one_handler():
    declared = {
        cls
        for _, cls in inspect.getmembers(commands, inspect.isclass)
        if issubclass(cls, Command) and cls is not Command
    }
    assert declared == set(COMMAND_HANDLERS)


def test_events_still_reach_every_handler_of_their_type(world):
    hold = world.service.place_hold("shw_sample", ["C5", "C6"], "cus_1")
    result = world.service.checkout(hold.id, "cus_1", details={"card_number": CARD_SUCCESS})
    assert world.drain() >= 1
    # BookingConfirmed: the POS commit (nothing to commit for a native theatre) and the e-ticket.
    assert [n.kind for n in world.notifier.sent] == ["booking_confirmed"]
    assert world.notifier.sent[0].context["booking"]["id"] == result.booking.id
