"""Customer contact data at rest: the cipher lives in marquee/pii.py, a neutral module, so the
worker and the store's callers need not import the API. Re-exported here for the API's code."""

from marquee.pii import PiiCipher, cipher_from_settings, normalize_email

__all__ = ["PiiCipher", "cipher_from_settings", "normalize_email"]
