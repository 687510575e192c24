"""What a use case knows of one show while it runs: the show, its theatre and seat layout, and
how the theatre sells it online, with the rules that follow from them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from booking.errors import SalesClosedOnline, ShowCancelled
from booking.ports import SellingMode, SellingPolicy
from canonical.catalog import SalesChannel, SeatLayout, Show, ShowStatus, Theatre
from canonical.inventory import SeatStatus

# Channels Marquee sells through; a show listing none of them is sold at the box office only.
ONLINE_CHANNELS = frozenset({SalesChannel.WEB, SalesChannel.APP})


@dataclass
class ShowContext:
    show: Show
    theatre: Theatre
    layout: SeatLayout
    cancelled: bool = False
    selling: SellingPolicy = field(default_factory=SellingPolicy)

    def require_on_sale(self) -> None:
        if self.cancelled or self.show.status is ShowStatus.CANCELLED:
            raise ShowCancelled(f"show {self.show.id} was cancelled: it sells no more seats")

    def require_online(self) -> None:
        """Refuse, before any seat is taken, a show the theatre does not sell online."""
        if not self.show.sales_channels & ONLINE_CHANNELS:
            raise SalesClosedOnline(
                f"show {self.show.id} is sold at the box office only", reason="box_office_only"
            )
        if self.show.status is ShowStatus.SOLD_OUT:
            raise SalesClosedOnline(
                f"the theatre reports show {self.show.id} sold out", reason="sold_out"
            )
        if self.selling.mode is SellingMode.CLOSED:
            raise SalesClosedOnline(
                f"show {self.show.id} is not sold online: "
                f"{self.selling.reason or 'the theatre gives Marquee no seats'}",
                reason="no_online_allocation",
            )

    def sells_online(self) -> bool:
        return (
            bool(self.show.sales_channels & ONLINE_CHANNELS)
            and self.selling.mode is not SellingMode.CLOSED
            and self.show.status is ShowStatus.SCHEDULED
        )

    def window_open(self, now: datetime) -> bool:
        """Inside the show's online sales window (which may run past the start)."""
        opens = self.show.sales_open()
        return (opens is None or now >= opens) and now < self.show.sales_close()

    def online_states(self, states: Mapping[str, SeatStatus]) -> Mapping[str, SeatStatus]:
        """Seat states as online customers see them: under an allocation, every seat the
        theatre did not give Marquee is the box office's (blocked here)."""
        if self.selling.mode is not SellingMode.ALLOCATION:
            return states
        allocated = self.selling.allocated
        out = dict(states)
        for seat in self.layout.seats():
            if seat.id not in allocated and seat.id not in out:
                out[seat.id] = SeatStatus.BLOCKED
        return out
