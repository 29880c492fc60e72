"""The teacher's journey pages: create, edit and delete a journey; its members
(list, add, remove) and an e-mail to all of them.

Teachers and admins of the journey's organization only: everyone else gets
404 (``managed_journey_for``), like for a journey that does not exist. Every
form is a plain POST that works without JavaScript; actions redirect with a
message, and a form with errors comes back with them (status 400).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Profile
from accounts.selectors import public_name
from files.forms import add_upload_error
from files.services import FileRejected
from files.upload_handlers import UploadTooLarge, upload_limit
from journeys import selectors, services
from journeys.access import managed_journey_for
from journeys.forms import JourneyDeleteForm, JourneyForm, MemberAddForm, MembersEmailForm
from journeys.models import Journey, UserJourney

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
    search = _search_of(request)
    candidates, more_candidates = selectors.member_candidates_matching(journey, search)
    if add_form is None:
        add_form = MemberAddForm(journey=journey, choices=candidates)
    else:
        add_form.fields["people"].choices = [
            (person.pk, add_form.fields["people"].label_from_instance(person))
            for person in candidates
        ]
    context = {
        "journey": journey,
        "active_tab": "members",
        "members": selectors.journey_members(journey),
        "add_form": add_form,
        "candidates": candidates,
        "more_candidates": more_candidates,
        "search": search,
    }
    return render(request, "journeys/manage/members.html", context, status=status)


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
