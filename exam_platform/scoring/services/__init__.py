"""Writes of the scoring app. Delivery calls `on_attempt_submitted` after a submit commits its row."""

from .triggers import on_attempt_submitted, on_attempts_submitted, request_scoring

__all__ = ["on_attempt_submitted", "on_attempts_submitted", "request_scoring"]
