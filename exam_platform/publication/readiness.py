"""Is a round's result final, so that a rank list may be prepared from it? And if not, what is still
open: the preparation page lists exactly these reasons, and prepare_rank_list / publish_correction
refuse with them.

A round is final when
- no session can still change: in no session can a candidate still start (now ≤ late_entry_until
  while someone on its roster has not started; delivery refuses a start after late_entry_until)
  and no attempt is in progress (a deadline sweep or a proctor may still submit it);
- every attempt is submitted or terminated, and no result waits for essay marking;
- the results are up to date: the round has been scored, after the last submission, the last essay
  mark and the last pass-policy change, and every roster entry has a result;
- no key correction or pass-policy change is waiting for a second officer.
A constant number of queries, whatever the number of candidates.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exam_platform.common.templatetags.thai import local_datetime


def _when(moment) -> str:
    return local_datetime(timezone.localtime(moment))


@dataclass
class OpenSession:
    code: str
    title: str
    reasons: list[str]


@dataclass
class Readiness:
    sessions: list[OpenSession] = field(default_factory=list)
    in_progress: int = 0
    reasons: list[str] = field(default_factory=list)  # everything else that is not final

    @property
    def ready(self) -> bool:
        return not self.sessions and not self.reasons

    def messages(self) -> list[str]:
        out = [f"{s.title} ({s.code}): {'; '.join(s.reasons)}" for s in self.sessions]
        return out + self.reasons


def round_readiness(exam_round, *, now=None) -> Readiness:
    from exam_platform.delivery.models import Attempt, ExamSession
    from exam_platform.scoring.models import (
        EssayMark,
        ItemAdjustment,
        PassPolicy,
        PolicyChange,
        Result,
        ScoringRun,
    )

    now = now or timezone.now()
    readiness = Readiness()
    in_progress = Q(roster__attempt__status=Attempt.Status.IN_PROGRESS)
    sessions = (
        ExamSession.objects.filter(round=exam_round)
        .annotate(
            roster_size=Count("roster", distinct=True),
            not_started=Count("roster", filter=Q(roster__attempt__isnull=True), distinct=True),
            running=Count("roster", filter=in_progress, distinct=True),
        )
        .order_by("opens_at", "pk")
    )
    roster_size = 0
    for session in sessions:
        roster_size += session.roster_size
        reasons = []
        if now <= session.late_entry_until and session.not_started:
            if now < session.opens_at:
                reasons.append(
                    _("ยังไม่เริ่มสอบ (เริ่ม %(start)s) ผู้เข้าสอบ %(n)d คนยังเข้าสอบได้")
                    % {"start": _when(session.opens_at), "n": session.not_started}
                )
            else:
                reasons.append(
                    _("ยังเข้าสอบได้ถึง %(until)s ผู้เข้าสอบ %(n)d คนยังไม่ได้เริ่ม")
                    % {"until": _when(session.late_entry_until), "n": session.not_started}
                )
        if session.running:
            reasons.append(
                ngettext(
                    "กำลังสอบอยู่ %(n)d คน",
                    "กำลังสอบอยู่ %(n)d คน",
                    session.running,
                )
                % {"n": session.running}
            )
            readiness.in_progress += session.running
        if reasons:
            readiness.sessions.append(OpenSession(session.code, session.title, reasons))

    run = ScoringRun.objects.filter(round=exam_round).order_by("-started_at", "-id").first()
    if run is None:
        readiness.reasons.append(_("รอบการสอบนี้ยังไม่ได้คิดคะแนน"))
    else:
        last_submit = Attempt.objects.filter(entry__session__round=exam_round).aggregate(
            at=Max("submitted_at")
        )["at"]
        last_mark = EssayMark.objects.filter(attempt__entry__session__round=exam_round).aggregate(
            at=Max("created_at")
        )["at"]
        policy = PassPolicy.objects.filter(round=exam_round).values("version").first()
        if (last_submit and last_submit > run.started_at) or (last_mark and last_mark > run.started_at):
            readiness.reasons.append(_("มีการส่งคำตอบหรือตรวจอัตนัยหลังการคิดคะแนนครั้งล่าสุด ต้องคิดคะแนนใหม่ก่อน"))
        if policy and policy["version"] != run.policy_version:
            readiness.reasons.append(_("เกณฑ์การผ่านเปลี่ยนหลังการคิดคะแนนครั้งล่าสุด ต้องคิดคะแนนใหม่ก่อน"))
        counts = Result.objects.filter(round=exam_round).aggregate(
            total=Count("id"),
            waiting=Count("id", filter=Q(status=Result.Status.PENDING_MANUAL)),
            unfinished=Count("id", filter=Q(status=Result.Status.IN_PROGRESS)),
        )
        if counts["total"] != roster_size and not readiness.sessions:  # an open session says it already
            readiness.reasons.append(
                _("ผลคะแนนไม่ครบ: มีผล %(n)d จากผู้มีสิทธิ์สอบ %(total)d คน ต้องคิดคะแนนใหม่ก่อน")
                % {"n": counts["total"], "total": roster_size}
            )
        if counts["waiting"]:
            readiness.reasons.append(_("รอตรวจข้อสอบอัตนัย %(n)d คน") % {"n": counts["waiting"]})
        if counts["unfinished"] and not readiness.sessions:
            readiness.reasons.append(
                _("ผลคะแนนยังนับผู้ที่สอบไม่เสร็จ %(n)d คน ต้องคิดคะแนนใหม่ก่อน") % {"n": counts["unfinished"]}
            )
    proposals = ItemAdjustment.objects.filter(round=exam_round, status=ItemAdjustment.Status.PROPOSED).count()
    if proposals:
        readiness.reasons.append(_("มีข้อเสนอแก้ไขเฉลย %(n)d รายการที่รอเจ้าหน้าที่อีกคนอนุมัติหรือถอน") % {"n": proposals})
    if PolicyChange.objects.filter(round=exam_round, status=PolicyChange.Status.PROPOSED).exists():
        readiness.reasons.append(_("มีข้อเสนอเปลี่ยนเกณฑ์การผ่านที่รอเจ้าหน้าที่อีกคนอนุมัติหรือถอน"))
    return readiness


def not_final_message(readiness: Readiness) -> str:
    return _("ยังจัดเตรียมประกาศไม่ได้ เพราะผลการสอบยังไม่เป็นที่สิ้นสุด: %(reasons)s") % {
        "reasons": "; ".join(readiness.messages())
    }
