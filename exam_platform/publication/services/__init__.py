"""Writes of the publication app."""

from .rank_lists import (
    PublicationError,
    approve_and_publish,
    prepare_rank_list,
    publish_correction,
    withdraw_version,
)

__all__ = [
    "PublicationError",
    "approve_and_publish",
    "prepare_rank_list",
    "publish_correction",
    "withdraw_version",
]
