"""A booking world on a real database: the sample theatre and show, and customers whose contact
data is encrypted the way the API stores it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.security.pii import cipher_from_settings
from booking.samples import sample_layout, sample_show, sample_theatre
from canonical import Movie, Screen
from canonical.text import LocalizedText
from marquee.settings import Settings
from store import catalog, users

NOW = datetime.now(UTC).replace(microsecond=0)


def seed(engine, settings: Settings) -> None:
    layout = sample_layout()
    cipher = cipher_from_settings(
        settings.security.encryption_key_value(),
        settings.security.jwt_secret.get_secret_value(),
    )
    with engine.begin() as conn:
        catalog.save_theatre(conn, sample_theatre())
        catalog.save_screen(
            conn,
            Screen(id="scr_sample", theatre_id="thr_sample", name="Audi 1", layout_id=layout.id),
        )
        catalog.save_layout(conn, layout)
        catalog.save_movie(
            conn,
            Movie(
                id="mov_sample",
                title=LocalizedText(values={"en": "M"}),
                original_language="ta",
                runtime_minutes=150,
            ),
        )
        catalog.save_show(conn, sample_show(start=NOW + timedelta(days=2)), layout)
        for user_id, email, phone, language in (
            ("cus_ta", "kavin@example.com", "+919876543210", "ta"),
            ("cus_en", "asha@example.com", None, "en"),
        ):
            users.create_user(
                conn,
                user_id=user_id,
                email_hash=cipher.email_hash(email),
                email_enc=cipher.encrypt(email),
                phone_enc=cipher.encrypt(phone) if phone else None,
                name=user_id.split("_")[1].title(),
                language=language,
                password_hash=None,
                role="customer",
                partner_id=None,
            )
