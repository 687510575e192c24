"""Identity: canonical ids are ours; a legacy system's id is only meaningful inside its scope."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

CanonicalId = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
]


def new_id(prefix: str) -> str:
    """A fresh canonical id, e.g. 'shw_1b4e28ba2fa1'. Prefixes make logs readable."""
    return f"{prefix}_{uuid.uuid4().hex[:20]}"


class ExternalRef(BaseModel):
    """Where a record came from: (connector, scope, external id).

    `scope` qualifies ids that are only unique inside something else: a session id unique per
    cinema has scope "cinema:1001". Empty scope means the id is unique across the connector.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    connector_id: str = Field(min_length=1, examples=["vista-soap-chennai"])
    external_id: str = Field(min_length=1, examples=["14164"])
    scope: str = Field(default="", examples=["cinema:1001"])

    def key(self) -> tuple[str, str, str]:
        return (self.connector_id, self.scope, self.external_id)


def derived_id(prefix: str, connector_id: str, external_id: str, scope: str = "") -> str:
    """The canonical id of a record imported from a legacy system, derived from its scoped
    external id. Re-importing the same record always gives the same id, so imports are
    idempotent without a lookup; the external id map still records the pair for reverse lookups
    and for rescheduled shows that come back under a new external id.
    """
    import hashlib

    digest = hashlib.blake2b(
        f"{connector_id}\x1f{scope}\x1f{external_id}".encode(), digest_size=10
    ).hexdigest()
    return f"{prefix}_{digest}"
