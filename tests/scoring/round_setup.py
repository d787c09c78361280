"""Arrangement for the scoring tests: a round whose attempts and responses are written directly with
the ORM (the attempt/answer path is tested in tests/delivery), items made through the bank service."""

import datetime as dt
import itertools

from django.utils import timezone

from exam_platform.delivery.models import Attempt, ExamRound, ExamSession, Response, RosterEntry
from question_bank.models import Paper, PaperForm
from question_bank.services.items import ChoiceData
from tests.factories import make_bank, make_candidate, make_item

_n = itertools.count(1)


class ScoringRound:
    """A round with one session; items are added to sections, candidates sit with given answers.

    items[name] = {"uid", "version", "type", "points", "choices": [choice uids in bank order]}."""

    def __init__(self, *, code=None):
        n = next(_n)
        now = timezone.now()
        self.bank = make_bank()
        self.round = ExamRound.objects.create(
            code=code or f"score-{n}", title=f"การสอบแข่งขัน ครั้งที่ {n}/2569", exam_type="competitive"
        )
        self.paper = paper = Paper.objects.create(
            bank=self.bank, code=f"p-{n}", title="ภาค ก", duration_minutes=60, status=Paper.Status.LOCKED
        )
        self.session = ExamSession.objects.create(
            round=self.round,
            code=f"s-{n}",
            title="รอบเช้า",
            paper=paper,
            opens_at=now - dt.timedelta(hours=3),
            late_entry_until=now - dt.timedelta(hours=2),
            closes_at=now - dt.timedelta(hours=1),
            duration_minutes=60,
        )
        self.sections: dict[int, dict] = {}
        self.items: dict[str, dict] = {}

    def add_section(self, position: int, title: str) -> None:
        self.sections[position] = {"position": position, "title": title, "items": []}

    def add_item(self, name, section, kind="single", *, points="1", correct=(0,), n_choices=4, spec=None):
        choices = []
        if kind in ("single", "multiple", "true_false"):
            count = 2 if kind == "true_false" else n_choices
            choices = [ChoiceData(text=f"ตัวเลือก {i + 1}", is_correct=i in correct) for i in range(count)]
        item = make_item(
            self.bank, item_type=kind, choices=choices, answer_spec=spec or {}, status="approved"
        )
        version = item.current_version
        frozen = {
            "uid": str(item.uid),
            "version": version.pk,
            "points": points,
            "type": kind,
            "choices": [
                str(uid) for uid in version.choices.order_by("position").values_list("uid", flat=True)
            ],
        }
        self.items[name] = frozen
        self.sections[section]["items"].append(frozen)
        self._freeze_paper_form()
        return frozen

    def _freeze_paper_form(self) -> None:
        """The paper's one frozen form (as lock_paper writes it), so items have booklet numbers."""
        content = {
            "paper": {"code": self.paper.code, "version": 1},
            "form": 1,
            "sections": [
                {
                    "position": s["position"],
                    "title": s["title"],
                    "items": [
                        {"item": i["uid"], "version": i["version"], "points": i["points"]} for i in s["items"]
                    ],
                }
                for s in sorted(self.sections.values(), key=lambda s: s["position"])
            ],
        }
        PaperForm.objects.update_or_create(
            paper=self.paper, number=1, defaults={"content": content, "digest": "x"}
        )

    def form(self) -> dict:
        return {
            "paper": {"code": "p", "version": 1, "digest": "x"},
            "form": 1,
            "seed": 1,
            "sections": [
                {
                    "position": s["position"],
                    "title": s["title"],
                    "items": [
                        {
                            "uid": i["uid"],
                            "version": i["version"],
                            "points": i["points"],
                            "type": i["type"],
                            "stem": "",
                            "choices": [{"uid": c, "html": ""} for c in i["choices"]],
                        }
                        for i in s["items"]
                    ],
                }
                for s in sorted(self.sections.values(), key=lambda s: s["position"])
            ],
        }

    def entry(self, *, application_number=None, position=None, first_name="สมชาย") -> RosterEntry:
        n = next(_n)
        return RosterEntry.objects.create(
            session=self.session,
            candidate=make_candidate(first_name_th=first_name),
            application_number=application_number or f"APP-{n:05d}",
            exam_number=f"EX{n:05d}",
            position=position,
        )

    def sit(self, answers: dict, *, status="submitted", **entry_fields) -> RosterEntry:
        """A candidate who sat the exam with `answers` = {item name: answer JSON}."""
        entry = self.entry(**entry_fields)
        now = timezone.now()
        attempt = Attempt.objects.create(
            entry=entry,
            seed=1,
            form=self.form(),
            started_at=now - dt.timedelta(minutes=90),
            deadline=now - dt.timedelta(minutes=30),
            status=status,
            submitted_at=None if status == "in_progress" else now - dt.timedelta(minutes=30),
        )
        for seq, (name, answer) in enumerate(answers.items(), start=1):
            Response.objects.create(
                attempt=attempt, item_uid=self.items[name]["uid"], answer=answer, seq=seq, saved_at=now
            )
        return entry

    def choice(self, name: str, index: int) -> str:
        return self.items[name]["choices"][index]

    def pick(self, name: str, *indexes: int) -> dict:
        if self.items[name]["type"] == "multiple":
            return {"choices": [self.choice(name, i) for i in indexes]}
        return {"choice": self.choice(name, indexes[0])}


def totp_code(user) -> str:
    """A valid code from `user`'s confirmed TOTP device (created if missing), computed from the
    device key as an authenticator app would. A later call for the same user within the same
    30-second step gives the next step's code (django-otp accepts one step of drift and refuses a
    step it has already accepted)."""
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if device.last_t is not None and totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def backup_code(user) -> str:
    """One fresh backup code of `user` (a new set is generated each call)."""
    from exam_platform.accounts.services.two_factor import regenerate_backup_codes

    return regenerate_backup_codes(user)[0]
