"""Signals other apps listen to, so that delivery does not import them.

attempts_submitted(sender=Attempt, attempt_ids=[...]) is sent inside the transaction that submits
(candidate, deadline sweep or proctor), so receivers can enqueue work atomically with it.
"""

from django.dispatch import Signal

attempts_submitted = Signal()
