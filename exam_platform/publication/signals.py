"""Publication's side of a correction approved in scoring (scoring.signals.results_corrected): every
published list of the round gets a corrected version prepared at once, from the rescored results,
by the officer who approved the correction. It is published only when ANOTHER exam officer approves
it with a fresh two-factor code (approve_and_publish); the published version stays public until
then, and never changes."""

import logging

from django.dispatch import receiver

from exam_platform.scoring.signals import results_corrected

log = logging.getLogger(__name__)


@receiver(results_corrected)
def prepare_corrected_versions(sender, exam_round, actor, change_note, request=None, **kwargs):
    from django.db import transaction

    from .models import RankList, RankListVersion
    from .services.rank_lists import PublicationError, publish_correction

    published = RankList.objects.filter(
        round=exam_round, versions__status=RankListVersion.Status.PUBLISHED
    ).exclude(versions__status=RankListVersion.Status.PREPARED)
    for rank_list in published.distinct().order_by("pk"):
        try:
            with transaction.atomic():
                publish_correction(rank_list, actor=actor, change_note=change_note[:2000], request=request)
        except PublicationError as error:
            # e.g. the round is no longer final (a new session): the officer prepares it by hand later
            log.warning("no corrected version of list %s: %s", rank_list.pk, error.message)
