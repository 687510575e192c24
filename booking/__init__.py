"""The booking domain: holds, bookings, payments, refunds and the rules that keep a seat from
being sold twice, working only on canonical objects.

It states what it needs from the outside as ports (`booking.ports`: unit of work, payment
gateway, theatre link, notifier, clock) and must not know how they are implemented: no store,
adapter, connector, API, framework, ORM or SDK is imported here (import-linter enforces it).
"""
