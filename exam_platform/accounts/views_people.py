"""The people pages: administrators manage staff accounts, their roles, activation and two-factor.

Thin views: load through access.py, one service call (services/people.py), a message, a redirect.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import access
from .models import User
from .people_forms import PAGE_SIZE, PeopleFilterForm, RoleForm, StaffAccountForm, staff_role_choices
from .roles import ROLE_LABELS, STAFF_ROLES
from .services import people
from .services.two_factor import backup_device, confirmed_totp_device


def _role_labels(user) -> list[str]:
    names = {g.name for g in user.groups.all()}
    return [str(ROLE_LABELS[r]) for r in STAFF_ROLES if r in names]


def people_list(request):
    access.require_administrator(request.user)
    form = PeopleFilterForm(request.GET or None)
    values = form.values() if form.is_bound else {}
    users = User.objects.filter(kind=User.Kind.STAFF).prefetch_related("groups").order_by("username")
    q = (values.get("q") or "").strip()
    if q:
        users = users.filter(
            Q(username__icontains=q)
            | Q(display_name__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
        )
    if values.get("role"):
        users = users.filter(groups__name=values["role"])
    if values.get("active") == "yes":
        users = users.filter(is_active=True)
    elif values.get("active") == "no":
        users = users.filter(is_active=False)
    paginator = Paginator(users.distinct(), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    for person in page.object_list:
        person.role_labels = _role_labels(person)
    return render(
        request,
        "accounts/people/list.html",
        {
            "form": form,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )


@never_cache
def person_new(request):
    access.require_administrator(request.user)
    form = StaffAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = people.create_staff_account(
                username=form.cleaned_data["username"],
                display_name=form.cleaned_data["display_name"],
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
                actor=request.user,
                request=request,
            )
        except people.PeopleError as error:
            form.add_error("username", str(error))
        else:
            password = created.initial_password
            response = render(
                request,
                "accounts/people/created.html",
                {
                    "person": created.user,
                    "password_grouped": " ".join(password[i : i + 4] for i in range(0, len(password), 4)),
                    "password": password,
                },
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "accounts/people/new.html", {"form": form}, status=400 if form.errors else 200)


def person_detail(request, person_id: int):
    person = access.get_staff_person_for(request.user, person_id)
    held = {g.name for g in person.groups.all()}
    return render(
        request,
        "accounts/people/detail.html",
        {
            "person": person,
            "roles": [(value, label, value in held) for value, label in staff_role_choices()],
            "has_totp": confirmed_totp_device(person) is not None,
            "has_backup": backup_device(person) is not None,
            "is_self": person.pk == request.user.pk,
        },
    )


def _role_action(request, person_id: int, *, grant: bool):
    person = access.get_staff_person_for(request.user, person_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("บทบาทไม่ถูกต้อง"))
        return redirect("accounts:person", person_id=person.pk)
    role = form.cleaned_data["role"]
    label = people.role_label(role)
    try:
        if grant:
            changed = people.grant_role(person, role=role, actor=request.user, request=request)
        else:
            changed = people.revoke_role(person, role=role, actor=request.user, request=request)
    except people.PeopleError as error:
        messages.error(request, str(error))
    else:
        if not changed:
            messages.info(request, _("ไม่มีการเปลี่ยนแปลง"))
        elif grant:
            messages.success(request, _("ให้บทบาท%(role)sแก่ %(name)s แล้ว") % {"role": label, "name": person})
        else:
            messages.success(request, _("ถอนบทบาท%(role)sจาก %(name)s แล้ว") % {"role": label, "name": person})
    return redirect("accounts:person", person_id=person.pk)


@require_POST
def person_role_grant(request, person_id: int):
    return _role_action(request, person_id, grant=True)


@require_POST
def person_role_revoke(request, person_id: int):
    return _role_action(request, person_id, grant=False)


@require_POST
def person_deactivate(request, person_id: int):
    person = access.get_staff_person_for(request.user, person_id)
    try:
        people.deactivate_user(person, actor=request.user, request=request)
    except people.PeopleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("ระงับบัญชีของ %(name)s แล้ว") % {"name": person})
    return redirect("accounts:person", person_id=person.pk)


@require_POST
def person_reactivate(request, person_id: int):
    person = access.get_staff_person_for(request.user, person_id)
    people.reactivate_user(person, actor=request.user, request=request)
    messages.success(request, _("เปิดใช้บัญชีของ %(name)s อีกครั้งแล้ว") % {"name": person})
    return redirect("accounts:person", person_id=person.pk)


@require_POST
def person_reset_two_factor(request, person_id: int):
    person = access.get_staff_person_for(request.user, person_id)
    try:
        people.reset_two_factor(person, actor=request.user, request=request)
    except people.PeopleError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("ล้างการยืนยันตัวตนสองขั้นตอนของ %(name)s แล้ว ผู้ใช้ต้องลงทะเบียนใหม่เมื่อเข้าสู่ระบบครั้งถัดไป")
            % {"name": person},
        )
    return redirect("accounts:person", person_id=person.pk)
