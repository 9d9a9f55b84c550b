"""Errors raised by API loaders; every message is redacted before it is built."""

from __future__ import annotations

from flowgauge.errors import LoaderError


class ApiError(LoaderError):
    """The API answered with an error the loader cannot work around."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NotFound(ApiError):
    """The repository or project does not exist, or the token cannot see it (404)."""


class Forbidden(ApiError):
    """The token is not allowed to read this resource (403 that is not a rate limit)."""


class Unauthorized(ApiError):
    """The token was refused (401): missing, expired or revoked."""


class RetriesExhausted(ApiError):
    """Timeouts, connection errors or 5xx answers went on past the retry budget."""


class GraphQLErrors(ApiError):
    """A GraphQL response carried errors and no usable data."""
