"""Message templates per kind and language, with fallback to English.

One file per kind and language, `templates/<kind>.<language>.txt`, split into sections by
`## <part>` lines: subject, email, sms, push_title, push, and optionally html (the e-mail's HTML
alternative; values are HTML-escaped into it). Placeholders are `string.Template`
`$names`; a placeholder a message lacks is an error, not a silent "$code" in a customer's inbox.
Language tags are matched most specific first: "ta-IN" tries ta-IN, then ta, then en.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
FALLBACK = "en"
PARTS = ("subject", "email", "sms", "push_title", "push")
OPTIONAL_PARTS = ("html",)
_SECTION = re.compile(r"^## (\w+)\s*$", re.MULTILINE)


class MissingTemplate(LookupError):
    pass


@dataclass(frozen=True)
class Rendered:
    kind: str
    language: str  # the language actually used (after fallback)
    subject: str
    email: str
    sms: str
    push_title: str
    push: str
    html: str | None = None


def parse(text: str) -> dict[str, str]:
    pieces = _SECTION.split(text)
    sections = {
        name: body.strip("\n") for name, body in zip(pieces[1::2], pieces[2::2], strict=True)
    }
    missing = [p for p in PARTS if p not in sections]
    if missing:
        raise ValueError(f"template lacks sections: {', '.join(missing)}")
    return sections


def candidates(language: str | None) -> list[str]:
    """ "ta-IN" -> ["ta-in", "ta", "en"]."""
    tags: list[str] = []
    tag = (language or "").strip().lower().replace("_", "-")
    while tag:
        tags.append(tag)
        tag = tag.rpartition("-")[0]
    if FALLBACK not in tags:
        tags.append(FALLBACK)
    return tags


class TemplateBook:
    def __init__(self, directory: Path = TEMPLATE_DIR) -> None:
        self.directory = directory

    def languages(self, kind: str) -> list[str]:
        return sorted(p.name.split(".")[1] for p in self.directory.glob(f"{kind}.*.txt"))

    def kinds(self) -> list[str]:
        return sorted({p.name.split(".")[0] for p in self.directory.glob("*.*.txt")})

    def load(self, kind: str, language: str | None) -> tuple[str, dict[str, str]]:
        for tag in candidates(language):
            path = self.directory / f"{kind}.{tag}.txt"
            if path.is_file():
                return tag, _read(path)
        raise MissingTemplate(f"no template {kind!r} in {language!r} or {FALLBACK!r}")

    def render(self, kind: str, language: str | None, values: Mapping[str, object]) -> Rendered:
        used, sections = self.load(kind, language)
        text = {k: str(v) for k, v in values.items()}
        escaped = {k: html.escape(v) for k, v in text.items()}
        try:
            filled = {part: Template(sections[part]).substitute(text) for part in PARTS}
            markup = Template(sections["html"]).substitute(escaped) if "html" in sections else None
        except KeyError as missing:
            raise ValueError(f"template {kind}.{used} needs a value for {missing}") from None
        return Rendered(kind=kind, language=used, html=markup, **filled)


@lru_cache(maxsize=256)
def _read(path: Path) -> dict[str, str]:
    return parse(path.read_text(encoding="utf-8"))


def render(kind: str, language: str | None, values: Mapping[str, object]) -> Rendered:
    return TemplateBook().render(kind, language, values)
