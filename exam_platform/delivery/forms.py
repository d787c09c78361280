import re

from django import forms
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from exam_platform.common.forms.thai_datetime import BE_YEARS, CE_YEARS, ThaiDateTimeField
from exam_platform.common.thai_dates import BUDDHIST_ERA_OFFSET
from question_bank.models import Paper

from .models import ExamRound, ExamSession, Position, Room
from .services.accommodations import MAX_EXTRA_MINUTES, MAX_EXTRA_PERCENT
from .services.roster import MAX_UPLOAD_BYTES, parse_thai_date


class RosterImportForm(forms.Form):
    file = forms.FileField(
        label=_("ไฟล์รายชื่อ (CSV หรือ Excel .xlsx)"),
        help_text=_(
            "แถวแรกเป็นหัวคอลัมน์ภาษาไทยหรืออังกฤษ: เลขประจำตัวประชาชน, เลขที่ใบสมัคร, คำนำหน้า, ชื่อ, นามสกุล, "
            "วันเกิด (วว/ดด/ปปปป พ.ศ.), ตำแหน่ง, โทรศัพท์, อีเมล, การอำนวยความสะดวก, อายุราชการ"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("ไฟล์ใหญ่เกิน 10 MB (The file is larger than 10 MB)."))
        return upload


class AssignSeatsForm(forms.Form):
    order = forms.ChoiceField(
        label=_("เรียงที่นั่งตาม"),
        choices=[("name", _("ชื่อ (ลำดับพจนานุกรมไทย)")), ("application_number", _("เลขที่ใบสมัคร"))],
        initial="name",
    )


class ThaiDateField(forms.Field):
    """A date typed as วว/ดด/ปปปป in the Buddhist Era (or the Common Era, or ISO)."""

    widget = forms.TextInput

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        try:
            return parse_thai_date(value)
        except (ValueError, TypeError):
            raise forms.ValidationError(
                _("วันเกิดไม่ถูกต้อง ใช้รูปแบบ วว/ดด/ปปปป เช่น 17/05/2538 (Invalid date: use dd/mm/yyyy)."),
                code="invalid",
            ) from None


class IdentityCheckInForm(forms.Form):
    national_id = forms.CharField(
        label=_("เลขประจำตัวประชาชน (National ID)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    date_of_birth = ThaiDateField(
        label=_("วันเกิด (Date of birth)"),
        help_text=_("วว/ดด/ปปปป (พ.ศ.) เช่น 17/05/2538"),
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "bday",
                "placeholder": "17/05/2538",
                "maxlength": 20,
            }
        ),
    )
    application_number = forms.CharField(
        label=_("เลขที่ใบสมัคร (Application number)"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    accept_rules = forms.BooleanField(
        label=_("ข้าพเจ้าได้อ่านและยอมรับระเบียบการสอบข้างต้น (I have read and accept the exam rules)"),
        required=True,
        error_messages={"required": _("โปรดยอมรับระเบียบการสอบ (Please accept the exam rules).")},
    )


class TokenCheckInForm(forms.Form):
    token = forms.CharField(
        label=_("รหัสจาก QR บนบัตรประจำตัวสอบ (QR token)"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class AccommodationsForm(forms.Form):
    extra_time_percent = forms.IntegerField(
        label=_("เวลาเพิ่ม (ร้อยละ)"), min_value=0, max_value=MAX_EXTRA_PERCENT, required=False, initial=0
    )
    extra_minutes = forms.IntegerField(
        label=_("เวลาเพิ่ม (นาที)"), min_value=0, max_value=MAX_EXTRA_MINUTES, required=False, initial=0
    )
    beyond_window = forms.BooleanField(label=_("สอบต่อได้เกินเวลาปิดรอบสอบ"), required=False)
    large_text = forms.BooleanField(label=_("ตัวอักษรขนาดใหญ่"), required=False)
    high_contrast = forms.BooleanField(label=_("สีตัดกันสูง"), required=False)
    screen_reader = forms.BooleanField(label=_("โหมดโปรแกรมอ่านหน้าจอ"), required=False)
    breaks = forms.BooleanField(label=_("พักระหว่างสอบได้"), required=False)


# --- setting up rounds, sessions, rooms and seats (views/setup.py) -----------------------------

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_ANNOUNCEMENT = re.compile(r"^(?:ครั้งที่\s*)?(\d{1,4})\s*/\s*(\d{4})$")


def normalise_announcement_number(text: str) -> str:
    """ "ครั้งที่ ๑/๒๕๖๙", "1 / 2569" → "1/2569" (how rounds store it); "" stays "".
    The year is the Buddhist era (2500–2700); anything else is a ValidationError."""
    text = " ".join((text or "").translate(_THAI_DIGITS).split())
    if not text:
        return ""
    match = _ANNOUNCEMENT.match(text)
    if match is None or int(match[1]) < 1:
        raise forms.ValidationError(_("เลขที่ประกาศต้องเป็น ครั้งที่/ปี พ.ศ. เช่น 1/2569"), code="invalid")
    year = int(match[2])
    if year not in BE_YEARS:
        if year in CE_YEARS:
            raise forms.ValidationError(
                _("ปี %(year)d เป็นปี ค.ศ. เลขที่ประกาศใช้ปี พ.ศ. เช่น 1/%(be_year)d")
                % {"year": year, "be_year": year + BUDDHIST_ERA_OFFSET},
                code="invalid",
            )
        raise forms.ValidationError(_("ปี พ.ศ. %(year)d ในเลขที่ประกาศไม่ถูกต้อง") % {"year": year}, code="invalid")
    return f"{int(match[1])}/{year}"


class RoundForm(forms.Form):
    code = forms.SlugField(
        label=_("รหัสการสอบ"), max_length=60, help_text=_("ตัวอักษรอังกฤษ ตัวเลข และขีด เช่น bma-2569-1")
    )
    title = forms.CharField(label=_("ชื่อการสอบ"), max_length=300)
    exam_type = forms.ChoiceField(label=_("ประเภทการสอบ"), choices=ExamRound.ExamType.choices)
    announcement_number = forms.CharField(
        label=_("เลขที่ประกาศ (ครั้งที่/ปี)"),
        max_length=60,
        required=False,
        help_text=_("ครั้งที่/ปี พ.ศ. เช่น 1/2569"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "1/2569"}),
    )

    def __init__(self, *args, instance: ExamRound | None = None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", {field: getattr(instance, field) for field in self.base_fields})
        super().__init__(*args, **kwargs)

    def clean_announcement_number(self):
        return normalise_announcement_number(self.cleaned_data["announcement_number"])

    def clean_code(self):
        code = self.cleaned_data["code"]
        taken = ExamRound.objects.filter(code=code)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("รหัสการสอบ %(code)s มีอยู่แล้ว") % {"code": code})
        return code


class PositionForm(forms.Form):
    code = forms.SlugField(
        label=_("รหัสตำแหน่ง"), max_length=60, help_text=_("ใช้ในไฟล์รายชื่อผู้สมัคร เปลี่ยนภายหลังไม่ได้")
    )
    title = forms.CharField(label=_("ชื่อตำแหน่ง"), max_length=300)
    vacancies = forms.IntegerField(label=_("อัตราว่าง"), min_value=0, max_value=100000, initial=1)

    def __init__(self, *args, exam_round: ExamRound, instance: Position | None = None, **kwargs):
        self.exam_round, self.instance = exam_round, instance
        if instance is not None:
            kwargs.setdefault(
                "initial", {"code": instance.code, "title": instance.title, "vacancies": instance.vacancies}
            )
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["code"].disabled = True

    def clean_code(self):
        code = self.cleaned_data["code"]
        if self.instance is None and self.exam_round.positions.filter(code=code).exists():
            raise forms.ValidationError(_("รหัสตำแหน่ง %(code)s มีอยู่แล้วในรอบการสอบนี้") % {"code": code})
        return code


class LockedPaperChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, paper) -> str:
        return _("%(title)s · รหัส %(code)s · ฉบับที่ %(version)d · %(minutes)d นาที") % {
            "title": paper.title,
            "code": paper.code,
            "version": paper.version,
            "minutes": paper.duration_minutes,
        }


class SessionForm(forms.Form):
    code = forms.SlugField(label=_("รหัสรอบสอบ"), max_length=60, help_text=_("เช่น morning-1"))
    title = forms.CharField(label=_("ชื่อรอบสอบ"), max_length=300)
    paper = LockedPaperChoiceField(
        label=_("แบบทดสอบ (เฉพาะที่ล็อกแล้ว)"),
        queryset=Paper.objects.none(),
        empty_label=_("— เลือกแบบทดสอบ —"),
    )
    checkin_opens_at = ThaiDateTimeField(label=_("เริ่มยืนยันตัวตน (ไม่บังคับ)"), required=False)
    opens_at = ThaiDateTimeField(label=_("เริ่มเปิดให้เข้าสอบ"))
    late_entry_until = ThaiDateTimeField(label=_("เข้าสอบได้ไม่เกิน"))
    closes_at = ThaiDateTimeField(label=_("ปิดการสอบ"))
    duration_minutes = forms.IntegerField(
        label=_("เวลาสอบ (นาที)"),
        min_value=1,
        max_value=24 * 60,
        required=False,
        help_text=_("เว้นว่างเพื่อใช้เวลาสอบของแบบทดสอบ"),
    )

    def __init__(self, *args, exam_round: ExamRound, instance: ExamSession | None = None, **kwargs):
        self.exam_round, self.instance = exam_round, instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "code": instance.code,
                    "title": instance.title,
                    "paper": instance.paper_id,
                    "opens_at": instance.opens_at,
                    "late_entry_until": instance.late_entry_until,
                    "closes_at": instance.closes_at,
                    "duration_minutes": instance.duration_minutes,
                    "checkin_opens_at": instance.checkin_opens_at,
                },
            )
        super().__init__(*args, **kwargs)
        papers = Paper.objects.filter(status=Paper.Status.LOCKED)
        if instance is not None:  # the current paper stays selectable even if it were unlocked later
            papers = papers | Paper.objects.filter(pk=instance.paper_id)
        self.fields["paper"].queryset = papers.order_by("title", "code", "-version")

    def clean_code(self):
        code = self.cleaned_data["code"]
        taken = self.exam_round.sessions.filter(code=code)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("รหัสรอบสอบ %(code)s มีอยู่แล้วในรอบการสอบนี้") % {"code": code})
        return code


class ProctorChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, user) -> str:
        name = user.display_name or user.get_full_name()
        return f"{name} ({user.username})" if name else user.username


class RoomForm(forms.Form):
    code = forms.SlugField(label=_("รหัสห้อง"), max_length=40, help_text=_("เช่น r101"))
    name = forms.CharField(label=_("ชื่อห้องสอบ"), max_length=200)
    building = forms.CharField(label=_("อาคาร"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("จำนวนที่นั่ง"), min_value=1, max_value=10000)
    position = forms.IntegerField(
        label=_("ลำดับห้อง"),
        min_value=0,
        max_value=10000,
        required=False,
        help_text=_("ลำดับที่ใช้จัดที่นั่งอัตโนมัติ ห้องลำดับน้อยได้ผู้เข้าสอบก่อน เว้นว่างเพื่อต่อท้าย"),
    )
    proctors = ProctorChoiceField(
        label=_("กรรมการคุมสอบประจำห้อง"),
        queryset=None,
        required=False,
        help_text=_("เฉพาะบัญชีเจ้าหน้าที่ที่ใช้งานอยู่และมีบทบาทกรรมการคุมสอบ"),
    )

    def __init__(self, *args, session: ExamSession, instance: Room | None = None, **kwargs):
        from .services.rounds import eligible_proctors

        self.session, self.instance = session, instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{
                        field: getattr(instance, field)
                        for field in ("code", "name", "building", "capacity", "position")
                    },
                    "proctors": list(instance.proctors.values_list("pk", flat=True)),
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["proctors"].queryset = eligible_proctors()

    def clean_code(self):
        code = self.cleaned_data["code"]
        taken = self.session.rooms.filter(code=code)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("รหัสห้อง %(code)s มีอยู่แล้วในรอบสอบนี้") % {"code": code})
        return code


class SeatForm(forms.Form):
    room = forms.ModelChoiceField(label=_("ห้องสอบ"), queryset=Room.objects.none(), empty_label=None)
    seat_number = forms.IntegerField(label=_("เลขที่นั่ง"), min_value=1, max_value=10000)

    def __init__(self, *args, session: ExamSession, **kwargs):
        super().__init__(*args, **kwargs)
        rooms = session.rooms.annotate(seated=Count("seats")).order_by("position", "code")
        self.fields["room"].queryset = rooms
        self.fields["room"].label_from_instance = lambda room: (
            _("%(name)s (จัดแล้ว %(seated)d จาก %(capacity)d ที่นั่ง)")
            % {"name": room.name, "seated": room.seated, "capacity": room.capacity}
        )


class RosterFilterForm(forms.Form):
    """The search and filters of the session roster page (GET); every field optional."""

    YES_NO = [("", _("ทั้งหมด")), ("yes", _("ใช่")), ("no", _("ไม่ใช่"))]

    q = forms.CharField(
        label=_("ค้นหา"),
        required=False,
        max_length=100,
        help_text=_("เลขประจำตัวประชาชน ชื่อ นามสกุล เลขที่ใบสมัคร หรือเลขประจำตัวสอบ"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    room = forms.ChoiceField(label=_("ห้องสอบ"), required=False)
    checked_in = forms.ChoiceField(label=_("เช็กอินแล้ว"), required=False, choices=YES_NO)
    seated = forms.ChoiceField(label=_("จัดที่นั่งแล้ว"), required=False, choices=YES_NO)

    def __init__(self, *args, session: ExamSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].choices = [("", _("ทุกห้อง"))] + [
            (str(room.pk), room.name) for room in session.rooms.order_by("position", "code")
        ]
