"""Forms of the bank pages: the item list's filters and bank membership management."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from exam_platform.accounts.roles import Role

from ..models import BankMembership, Category, Item, ItemVersion
from ..queries import DEFAULT_PAGE_SIZE, DEFAULT_SORT, PAGE_SIZES, ItemFilters, item_authors


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = str(obj)
        return name if name == obj.username else f"{name} ({obj.username})"


class _CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        if obj.parent_id is None:
            return obj.name
        return f"{obj.parent.name} › {obj.name}"


def _any(label):
    return [("", label)]


class ItemFilterForm(forms.Form):
    """GET filters of the item list. Invalid values are ignored (the list shows unfiltered)."""

    q = forms.CharField(
        label=_("ค้นหาข้อความ"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": _("คำในโจทย์ ตัวเลือก หรือป้ายกำกับ")}),
    )
    subject = _CategoryChoiceField(label=_("วิชา"), queryset=Category.objects.none(), required=False)
    topic = _CategoryChoiceField(label=_("หัวข้อ"), queryset=Category.objects.none(), required=False)
    difficulty = forms.ChoiceField(
        label=_("ความยาก"),
        required=False,
        choices=_any(_("ทุกระดับ")) + list(ItemVersion.Difficulty.choices),
    )
    status = forms.ChoiceField(
        label=_("สถานะ"), required=False, choices=_any(_("ทุกสถานะ")) + list(Item.Status.choices)
    )
    tag = forms.ModelChoiceField(label=_("ป้ายกำกับ"), queryset=None, required=False)
    item_type = forms.ChoiceField(
        label=_("ชนิดข้อสอบ"),
        required=False,
        choices=_any(_("ทุกชนิด")) + list(ItemVersion.ItemType.choices),
    )
    author = _UserChoiceField(label=_("ผู้เขียน"), queryset=None, required=False)
    sort = forms.ChoiceField(
        label=_("เรียงตาม"),
        required=False,
        choices=[("recent", _("แก้ไขล่าสุดก่อน")), ("oldest", _("แก้ไขเก่าสุดก่อน"))],
    )
    per_page = forms.TypedChoiceField(
        label=_("แสดงต่อหน้า"),
        required=False,
        coerce=int,
        choices=[(n, str(n)) for n in PAGE_SIZES],
        empty_value=DEFAULT_PAGE_SIZE,
    )

    def __init__(self, *args, bank, **kwargs):
        super().__init__(*args, **kwargs)
        categories = Category.objects.filter(bank=bank).select_related("parent")
        self.fields["subject"].queryset = categories.filter(parent__isnull=True).order_by("name")
        self.fields["topic"].queryset = categories.filter(parent__isnull=False).order_by(
            "parent__name", "name"
        )
        self.fields["tag"].queryset = bank.tags.order_by("name")
        self.fields["author"].queryset = item_authors(bank)
        for name in ("subject", "topic", "tag", "author"):
            self.fields[name].empty_label = {
                "subject": _("ทุกวิชา"),
                "topic": _("ทุกหัวข้อ"),
                "tag": _("ทุกป้ายกำกับ"),
                "author": _("ทุกคน"),
            }[name]

    def filters(self) -> ItemFilters:
        """The valid filters (an invalid field counts as empty, so a stale link still shows a list)."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return ItemFilters(
            q=data.get("q") or "",
            subject=data.get("subject"),
            topic=data.get("topic"),
            difficulty=data.get("difficulty") or "",
            status=data.get("status") or "",
            tag_id=data["tag"].pk if data.get("tag") else None,
            item_type=data.get("item_type") or "",
            author_id=data["author"].pk if data.get("author") else None,
            sort=data.get("sort") or DEFAULT_SORT,
        )

    def page_size(self) -> int:
        if "per_page" in self.errors:
            return DEFAULT_PAGE_SIZE
        return self.cleaned_data.get("per_page") or DEFAULT_PAGE_SIZE

    def is_filtered(self) -> bool:
        filters = self.filters()
        return any(
            (
                filters.q,
                filters.subject,
                filters.topic,
                filters.difficulty,
                filters.status,
                filters.tag_id,
                filters.item_type,
                filters.author_id,
            )
        )


def eligible_examiners(bank):
    """Staff users holding the examiner role who are not yet members of `bank`."""
    user_model = get_user_model()
    return (
        user_model.objects.filter(kind=user_model.Kind.STAFF, is_active=True, groups__name=Role.EXAMINER)
        .exclude(bank_memberships__bank=bank)
        .distinct()
        .order_by("username")
    )


class AddMemberForm(forms.Form):
    user = _UserChoiceField(
        label=_("ผู้ออกข้อสอบ"),
        queryset=None,
        empty_label=_("— เลือกผู้ใช้ —"),
        error_messages={
            "required": _("กรุณาเลือกผู้ใช้ (Please choose a user)."),
            "invalid_choice": _("ผู้ใช้นี้ไม่ใช่ผู้ออกข้อสอบหรือเป็นสมาชิกอยู่แล้ว (Not an examiner, or already a member)."),
        },
    )
    role = forms.ChoiceField(label=_("บทบาทในคลัง"), choices=BankMembership.Role.choices)

    def __init__(self, *args, bank, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = eligible_examiners(bank)


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("บทบาทในคลัง"),
        choices=BankMembership.Role.choices,
        error_messages={"invalid_choice": _("บทบาทไม่ถูกต้อง (Unknown role).")},
    )


class BankForm(forms.Form):
    code = forms.SlugField(
        label=_("รหัสคลัง"),
        max_length=50,
        help_text=_("ตัวอักษรภาษาอังกฤษตัวเล็ก ตัวเลข และ - เช่น thai-part-a-2569"),
        error_messages={
            "required": _("กรุณากรอกรหัสคลัง"),
            "invalid": _("รหัสคลังใช้ได้เฉพาะตัวอักษรภาษาอังกฤษ ตัวเลข - และ _"),
        },
    )
    name = forms.CharField(
        label=_("ชื่อคลังข้อสอบ"), max_length=200, error_messages={"required": _("กรุณากรอกชื่อคลังข้อสอบ")}
    )
    description = forms.CharField(
        label=_("คำอธิบาย"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
