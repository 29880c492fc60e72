"""A journey's own pages: joining by invite link, the journey's address (which
opens its Plan tab), the invite link; and for its teachers: create, edit and
delete a journey, its members (list, add, remove) and an e-mail to all of them.

Teachers' pages answer 404 to everyone else (``managed_journey_for``), like
for a journey that does not exist. Every form is a plain POST that works
without JavaScript; actions redirect with a message, and a form with errors
comes back with them (status 400).
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Profile
from accounts.selectors import public_name
from core.keyset import BadCursor
from core.seo import is_link_preview_crawler
from files.forms import add_upload_error
from files.services import FileRejected
from files.upload_handlers import UploadTooLarge, upload_limit
from journeys import selectors, services
from journeys.access import journey_for, managed_journey_for
from journeys.class_cache import DrawnPage, class_first_page
from journeys.forms import JourneyDeleteForm, JourneyForm, MemberAddForm, MembersEmailForm
from journeys.models import Journey, UserJourney
from journeys.selectors import MembersPage

# The invite link someone opened while logged out. Log-in keeps the session's
# data, so after signing up, confirming the e-mail and logging in, the home
# page finds it and sends them back to the link (``pending_invite_redirect``).
PENDING_INVITE_SESSION_KEY = "journeys:pending_invite"


# --- the pending invite, kept across log-in -------------------------------------------


def remember_pending_invite(request: HttpRequest, token: str) -> None:
    request.session[PENDING_INVITE_SESSION_KEY] = token


def pending_invite_redirect(request: HttpRequest) -> HttpResponse | None:
    """A redirect to the invite link this person opened before logging in, or
    None. Used once: the link is forgotten as soon as it is followed."""
    token = request.session.pop(PENDING_INVITE_SESSION_KEY, None)
    if not isinstance(token, str) or selectors.journey_by_invite_token(token) is None:
        return None
    return redirect("journeys:join", token=token)


# --- joining ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the journey and a Join button; POST enrols. Logged out, the
    person logs in (or signs up) first and comes back here; a link-preview
    crawler gets the journey's public card (``_join_logged_out``)."""
    journey = selectors.journey_by_invite_token(token)
    if journey is None:
        return render(request, "journeys/join_invalid.html", status=404)
    user = request.user
    if not user.is_authenticated:
        return _join_logged_out(request, journey, token)
    request.session.pop(PENDING_INVITE_SESSION_KEY, None)
    if selectors.can_manage_journey(user, journey):
        return redirect("missions:plan", journey_id=journey.pk)
    if selectors.is_enrolled(user=user, journey=journey):
        messages.info(request, _("You are already in %(journey)s.") % {"journey": journey.name})
        return redirect("missions:plan", journey_id=journey.pk)
    refusal = services.join_refusal(journey=journey, user=user)
    if refusal is None and request.method == "POST":
        try:
            result = services.journey_join(journey=journey, user=user)
        except PermissionDenied as error:
            refusal = str(error)
        else:
            _welcome(request, journey, created=result.created)
            return redirect("missions:plan", journey_id=journey.pk)
    context = {"journey": journey, "refusal": refusal, "token": token}
    return render(request, "journeys/join.html", context, status=403 if refusal else 200)


# The logged-out page's buttons: ``?to=login`` and ``?to=signup``.
_LOGGED_OUT_STEPS = frozenset({"login", "signup"})


def _join_logged_out(request: HttpRequest, journey: Journey, token: str) -> HttpResponse:
    """Logged out. A crawler drawing the link's preview (KakaoTalk, Slack …) gets
    a small public page: the journey's name, cover and academy, in Open Graph
    tags too, and nothing more; it gets no session either. A person is sent to
    log in (or, from that page's buttons, to sign up) and comes back here: the
    token is remembered in the session and the way back is in ``next``."""
    step = request.GET.get("to")
    if (
        step not in _LOGGED_OUT_STEPS
        and request.method == "GET"
        and is_link_preview_crawler(request)
    ):
        context = {"journey": journey, "token": token, "preview": True}
        response = render(request, "journeys/join.html", context)
        response["X-Robots-Tag"] = "noindex, nofollow"  # a bearer link: never in search results
    else:
        remember_pending_invite(request, token)
        messages.info(
            request,
            _("Log in or sign up to join %(journey)s.") % {"journey": journey.name},
        )
        back = reverse("journeys:join", args=[token])
        if step == "signup":
            response = redirect(f"{reverse('account_signup')}?{urlencode({'next': back})}")
        else:
            response = redirect_to_login(back)
    # One address, two answers: caches must not hand a crawler's page to a person.
    patch_vary_headers(response, ["User-Agent"])
    return response


def _welcome(request: HttpRequest, journey: Journey, *, created: bool) -> None:
    if created:
        messages.success(
            request,
            _("Welcome to %(journey)s! Here is your plan: missions open week by week.")
            % {"journey": journey.name},
        )
    else:
        messages.info(request, _("You are already in %(journey)s.") % {"journey": journey.name})


# --- the journey and its plan -------------------------------------------------------------


@login_required
@require_GET
def journey_detail(request: HttpRequest, journey_id: uuid.UUID) -> HttpResponse:
    """A journey's own address opens its first tab, the plan."""
    journey = journey_for(request.user, journey_id)
    return redirect("missions:plan", journey_id=journey.pk)


# --- the invite link ------------------------------------------------------------------------


@login_required
@require_POST
def invite_regenerate(request: HttpRequest, journey_id: uuid.UUID) -> HttpResponse:
    """Replace the journey's invite link; links shared before stop working.
    Anyone but its teachers gets 404, like for a journey they cannot see."""
    journey = journey_for(request.user, journey_id)
    if not selectors.can_manage_journey(request.user, journey):
        raise Http404
    services.journey_invite_regenerate(journey=journey, by=request.user)
    messages.success(request, _("A new invite link is ready. The previous link no longer works."))
    return redirect(_safe_next(request) or journey_plan_url(journey))


def journey_plan_url(journey: Journey) -> str:
    return reverse("missions:plan", args=[journey.pk])


def _safe_next(request: HttpRequest) -> str | None:
    """The page the form came from (``next``), when it is one of ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


# --- managing a journey (teachers) --------------------------------------------


MEMBER_SEARCH_MAX_LENGTH = 100


def _cover_too_large(request: HttpRequest, error: UploadTooLarge) -> HttpResponse:
    messages.error(request, error.message)
    return redirect(request.path)


def _add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: per field when it names
    fields the form has, otherwise above the form."""
    if hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields):
        form.add_error(None, error)
    else:
        form.add_error(None, error.messages)


# --- the journey itself ---------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@upload_limit(purpose=services.JOURNEY_COVER_PURPOSE, on_too_large=_cover_too_large)
def journey_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_teacher and user.organization_id):
        raise Http404
    posted = request.method == "POST"
    form = JourneyForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            journey = services.journey_create(
                by=user,
                name=data["name"],
                date_start=data["date_start"],
                date_end=data["date_end"],
                cover=data.get("cover"),
            )
        except FileRejected as error:
            add_upload_error(form, "cover", error)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The journey %(journey)s is ready. Add its weeks and missions next.")
                % {"journey": journey.name},
            )
            return redirect("missions:plan", journey_id=journey.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "journeys/manage/journey_form.html", {"form": form, "journey": None}, status=status
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@upload_limit(purpose=services.JOURNEY_COVER_PURPOSE, on_too_large=_cover_too_large)
def journey_edit(request: HttpRequest, journey_id: uuid.UUID) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    if request.method == "POST":
        form = JourneyForm(request.POST, request.FILES, journey=journey)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.journey_update(
                    journey=journey,
                    by=request.user,
                    name=data["name"],
                    date_start=data["date_start"],
                    date_end=data["date_end"],
                    cover=data.get("cover"),
                    remove_cover=bool(data.get("remove_cover")) and not data.get("cover"),
                )
            except FileRejected as error:
                add_upload_error(form, "cover", error)
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _("The journey is saved."))
                return redirect("missions:plan", journey_id=journey.pk)
        status = 400
    else:
        form = JourneyForm(initial=JourneyForm.initial_for(journey), journey=journey)
        status = 200
    context = {"form": form, "journey": journey}
    return render(request, "journeys/manage/journey_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def journey_delete(request: HttpRequest, journey_id: uuid.UUID) -> HttpResponse:
    """GET: what deleting takes with it, and a field for the journey's name.
    POST: delete, once the name is typed."""
    journey = managed_journey_for(request.user, journey_id)
    form = JourneyDeleteForm(request.POST if request.method == "POST" else None, journey=journey)
    if request.method == "POST" and form.is_valid():
        name = journey.name
        services.journey_delete(journey=journey, by=request.user)
        messages.success(request, _("The journey %(journey)s was deleted.") % {"journey": name})
        return redirect("home")
    context = {
        "journey": journey,
        "form": form,
        "summary": selectors.journey_delete_summary(journey),
    }
    status = 400 if form.is_bound else 200
    return render(request, "journeys/manage/journey_delete.html", context, status=status)


# --- members ----------------------------------------------------------------------------------


def _search_of(request: HttpRequest) -> str:
    return " ".join(request.GET.get("q", "").split())[:MEMBER_SEARCH_MAX_LENGTH]


def _render_members(
    request: HttpRequest, journey: Journey, *, add_form: MemberAddForm | None = None, status=200
) -> HttpResponse:
    try:
        members = _members_page(journey, after=request.GET.get("after") or None)
    except BadCursor:
        return HttpResponseBadRequest(_("This page of the members does not exist."))
    search = _search_of(request)
    candidates, more_candidates = selectors.member_candidates_matching(journey, search)
    if add_form is None:
        add_form = MemberAddForm(journey=journey, choices=candidates)
    else:
        add_form.fields["people"].choices = [
            (person.pk, add_form.fields["people"].label_from_instance(person))
            for person in candidates
        ]
    people_choices = _people_choices(add_form)
    context = {
        "journey": journey,
        "active_tab": "members",
        "members": members,
        "add_form": add_form,
        "people_choices": people_choices,
        "people_choices_key": (tuple(people_choices), bool(add_form["people"].errors)),
        "candidates": candidates,
        "more_candidates": more_candidates,
        "search": search,
    }
    return render(request, "journeys/manage/members.html", context, status=status)


def _members_page(journey: Journey, *, after: str | None) -> MembersPage | DrawnPage:
    """A page of the members table; the first, the one every teacher opens,
    drawn once per change of the class (``class_first_page``): names, e-mails,
    roles, teams and pictures, which the class version follows, and the
    dates of joining in the viewer's zone, which is part of the key."""
    if after:
        return selectors.journey_members_page(journey, after=after)

    def draw() -> DrawnPage:
        page = selectors.journey_members_page(journey)
        return DrawnPage(
            rows_html=render_to_string(
                "journeys/manage/members.html#member-row-lines", {"rows": page.rows}
            ),
            row_ids=[str(row.enrolment.user_id) for row in page.rows],
            next_cursor=page.next_cursor,
            total=page.total,
        )

    return class_first_page(journey, "members", draw)


def _people_choices(form: MemberAddForm) -> list[tuple[str, str, str, bool]]:
    """The add form's people as (element id, value, label, checked): what its
    checkboxes show, the ones sent back with a refused form still checked."""
    chosen = {str(value) for value in form["people"].value() or []}
    return [
        (f"id_people_{index}", str(value), label, str(value) in chosen)
        for index, (value, label) in enumerate(form.fields["people"].choices)
    ]


@require_http_methods(["GET", "HEAD"])
@login_required
def members(request: HttpRequest, journey_id: uuid.UUID) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    return _render_members(request, journey)


@require_POST
@login_required
def member_add(request: HttpRequest, journey_id: uuid.UUID) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    form = MemberAddForm(request.POST, journey=journey)
    if form.is_valid():
        try:
            added = services.journey_members_add(
                journey=journey, by=request.user, people=form.cleaned_data["people"]
            )
        except ValidationError as error:
            form.add_error("people", error)
        else:
            if added:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d person was added and told so.",
                        "%(count)d people were added and told so.",
                        len(added),
                    )
                    % {"count": len(added)},
                )
            else:
                messages.info(request, _("They were already members."))
            return redirect("journeys:members", journey_id=journey.pk)
    return _render_members(request, journey, add_form=form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def member_remove(request: HttpRequest, journey_id: uuid.UUID, user_id: uuid.UUID) -> HttpResponse:
    """GET: confirm; POST: remove. Someone not enrolled here answers 404."""
    journey = managed_journey_for(request.user, journey_id)
    enrolment = get_object_or_404(
        UserJourney.objects.select_related("user"), journey=journey, user_id=user_id
    )
    person: Profile = enrolment.user
    name = public_name(person)
    if request.method == "POST":
        try:
            services.journey_member_remove(journey=journey, by=request.user, user=person)
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request,
                _("%(name)s was removed from the journey. Their posts and points stay.")
                % {"name": name},
            )
        return redirect("journeys:members", journey_id=journey.pk)
    context = {"journey": journey, "active_tab": "members", "person": person, "name": name}
    return render(request, "journeys/manage/member_remove.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def members_email(request: HttpRequest, journey_id: uuid.UUID) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    form = MembersEmailForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.journey_members_email(
                journey=journey, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext("Sent to %(count)d member.", "Sent to %(count)d members.", sent)
                % {"count": sent},
            )
            return redirect("journeys:members", journey_id=journey.pk)
    context = {
        "journey": journey,
        "active_tab": "members",
        "form": form,
        "receiver_count": selectors.email_receivers(journey, sender=request.user).count(),
    }
    status = 400 if form.is_bound else 200
    return render(request, "journeys/manage/members_email.html", context, status=status)
