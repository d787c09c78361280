"""Reads: published lists, a candidate's released results and where they stand in a published list."""

from dataclasses import dataclass

from django.db.models import Prefetch

from .models import RankList, RankListVersion

PUBLIC = RankListVersion.FROZEN_STATUSES


def published_lists() -> list[tuple[RankList, RankListVersion]]:
    """(list, its current published version), newest first; lists never published are left out."""
    versions = RankListVersion.objects.filter(status=RankListVersion.Status.PUBLISHED).defer("payload")
    lists = (
        RankList.objects.filter(versions__status=RankListVersion.Status.PUBLISHED)
        .select_related("round", "position")
        .prefetch_related(Prefetch("versions", queryset=versions, to_attr="published"))
        .distinct()
        .order_by("-created_at", "-id")
    )
    return [(rank_list, rank_list.published[0]) for rank_list in lists]


def results_released(round_id: int) -> bool:
    """A round's results are released to candidates once a list of it has been published."""
    return RankListVersion.objects.filter(rank_list__round_id=round_id, status__in=PUBLIC).exists()


@dataclass(frozen=True)
class Standing:
    version: RankListVersion
    row: dict

    @property
    def list_ref(self) -> str:
        return f"{self.version.rank_list_id}/v{self.version.number}"


def standing_of(entry) -> Standing | None:
    """The entry's row in the current published version of a list of its round, if it is on one."""
    versions = RankListVersion.objects.filter(
        rank_list__round_id=entry.session.round_id, status=RankListVersion.Status.PUBLISHED
    ).select_related("rank_list")
    for version in versions.order_by("-published_at", "-id"):
        for row in version.rows:
            if row["application_number"] == entry.application_number:
                return Standing(version, row)
    return None
