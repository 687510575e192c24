"""The per-record evaluation scope: call context, variables, the record's theatre, its group."""

from __future__ import annotations

from typing import Any

from adapters.mapping.errors import FieldError
from adapters.mapping.model import MappingContext, TheatreInfo


class Scope:
    __slots__ = ("ctx", "vars", "theatre", "theatre_key", "group")

    def __init__(
        self,
        ctx: MappingContext,
        variables: dict[str, Any],
        theatre: TheatreInfo | None = None,
        theatre_key: Any = None,
        group: list | None = None,
    ):
        self.ctx = ctx
        self.vars = variables
        self.theatre = theatre
        self.theatre_key = theatre_key
        self.group = group

    def child(self, lets: dict[str, Any] | None = None, group: list | None = None) -> Scope:
        variables = {**self.vars, **lets} if lets else self.vars
        return Scope(
            self.ctx,
            variables,
            self.theatre,
            self.theatre_key,
            self.group if group is None else group,
        )

    def zone(self) -> str:
        if self.theatre is None:
            raise FieldError(
                f"no time zone for theatre {self.theatre_key!r}: add it to the "
                "context's theatres (or give the context a default timezone)"
            )
        return self.theatre.timezone

    def currency(self) -> str:
        if self.theatre is None:
            raise FieldError(
                f"no currency for theatre {self.theatre_key!r}: add it to the "
                "context's theatres (or give the context a default currency)"
            )
        return self.theatre.currency

    def var(self, name: str) -> Any:
        if name in self.vars:
            return self.vars[name]
        if name == "connector_id":
            return self.ctx.connector_id
        if name == "theatre.timezone":
            return self.zone()
        if name == "theatre.currency":
            return self.currency()
        if name == "theatre.id":
            return self.theatre_key
        # Unset variables are missing values: a required field then names them in its error.
        return None
