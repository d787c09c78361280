from django.dispatch import Signal, receiver

from exam_platform.delivery.signals import attempts_submitted

# Sent inside the transaction of an approved key correction or policy change, after the rescore,
# with exam_round, actor (the approving officer), change_note (Thai, for a corrected list) and
# request. Publication listens and prepares a corrected version of every published list of the
# round, so scoring never imports publication.
results_corrected = Signal()


@receiver(attempts_submitted)
def score_after_submission(sender, attempt_ids, **kwargs):
    """A submitted attempt (by the candidate, the deadline sweep or a proctor) asks for a
    deduplicated scoring job for its round, in the same transaction."""
    from .services.triggers import on_attempts_submitted

    on_attempts_submitted(attempt_ids)
