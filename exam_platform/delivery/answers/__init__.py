"""The save path (DESIGN §3): validation against the frozen form, then the batched durable writer.

    index = FormIndex(attempt.form)                      # once per socket / request
    parsed = parse_save(index, message, attempt_id=..., channel="ws", ip_address=...)
    codes = await save_answers([parsed, ...])            # async: grouped commits (consumers)
    codes = write_saves([parsed, ...])                    # sync: one transaction (HTTP fallback)

A code is None (committed: ack) or "deadline" / "submitted" (refused: nack); parse_save refuses
"invalid" itself. See validation.py for the message format and writer.py for the transaction.
"""

from .validation import (
    DEADLINE,
    INVALID,
    SUBMITTED,
    FormIndex,
    Refusal,
    Save,
    ack_message,
    nack_message,
    parse_save,
)
from .writer import close_writers, save_answers, write_saves

__all__ = [
    "DEADLINE",
    "INVALID",
    "SUBMITTED",
    "FormIndex",
    "Refusal",
    "Save",
    "ack_message",
    "close_writers",
    "nack_message",
    "parse_save",
    "save_answers",
    "write_saves",
]
