from django.dispatch import receiver

from exam_platform.delivery.signals import attempts_submitted


@receiver(attempts_submitted)
def score_after_submission(sender, attempt_ids, **kwargs):
    """A submitted attempt (by the candidate, the deadline sweep or a proctor) asks for a
    deduplicated scoring job for its round, in the same transaction."""
    from .services.triggers import on_attempts_submitted

    on_attempts_submitted(attempt_ids)
