"""Authentication and authorization: password hashing, tokens, scopes, PII encryption."""
