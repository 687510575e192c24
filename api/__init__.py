"""The HTTP API (FastAPI): customer, partner, admin and webhook routers, authentication and
authorization, problem documents, OpenAPI.

A thin edge: it validates input, calls booking's services and the store, and maps domain errors
to HTTP statuses (`api.problems`). Business rules live in `booking/`, not here.
"""
