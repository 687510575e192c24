"""Text in several languages, keyed by BCP 47 tag, with a fallback chain."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator

_BCP47 = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?(-[a-zA-Z0-9]{5,8})*$")
FINAL_FALLBACK = "en"


@lru_cache(maxsize=4096)  # pure; every imported show checks its language tag
def normalize_tag(tag: str) -> str:
    """Canonical casing for a BCP 47 tag: language lower, script title, region upper."""
    tag = tag.strip().replace("_", "-")
    if not _BCP47.match(tag):
        raise ValueError(f"{tag!r} is not a BCP 47 language tag (e.g. 'ta-IN', 'en')")
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) in (2, 3) and (part.isalpha() or part.isdigit()):
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def fallback_chain(preferred: Iterable[str], default: str | None = None) -> list[str]:
    """ta-IN -> ta -> theatre default -> en, without repeats."""
    chain: list[str] = []

    def add(tag: str) -> None:
        if tag not in chain:
            chain.append(tag)

    for raw in preferred:
        tag = normalize_tag(raw)
        parts = tag.split("-")
        for n in range(len(parts), 0, -1):
            add("-".join(parts[:n]))
    if default:
        for n in range(len(normalize_tag(default).split("-")), 0, -1):
            add("-".join(normalize_tag(default).split("-")[:n]))
    add(FINAL_FALLBACK)
    return chain


class LocalizedText(BaseModel):
    """One piece of text in several languages: {"en": "The Hunt", "ta": "..."}."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    values: dict[str, str] = Field(
        default_factory=dict, examples=[{"en": "The Last Show", "ta-IN": "கடைசி காட்சி"}]
    )

    @field_validator("values")
    @classmethod
    def _tags(cls, values: dict[str, str]) -> dict[str, str]:
        return {normalize_tag(tag): text for tag, text in values.items()}

    def resolve(self, preferred: Iterable[str] = (), default: str | None = None) -> str | None:
        tag = self.resolve_tag(preferred, default)
        return None if tag is None else self.values[tag]

    def resolve_tag(self, preferred: Iterable[str] = (), default: str | None = None) -> str | None:
        """RFC 4647 lookup (ta-IN -> ta -> default -> en), where each step is also answered by
        a more specific stored tag of it (a request for `ta` finds a title stored as `ta-IN`).
        Nothing in the chain: any text beats none (a Tamil-only title for an English reader)."""
        values = self.values
        for tag in fallback_chain(preferred, default):
            if tag in values:
                return tag
            prefix = tag + "-"
            for stored in values:
                if stored.startswith(prefix):
                    return stored
        return next(iter(values), None)

    def merged(self, other: LocalizedText) -> LocalizedText:
        return LocalizedText(values={**self.values, **other.values})
