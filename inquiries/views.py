"""The public inquiry form (anyone, no JavaScript needed) and bug reports
(signed-in people: report a problem, see my reports and their answers).

Both forms are rate limited per client address by ``core.ratelimit`` (settings
``RATE_LIMITED_URLS``): only successful posts (a redirect) spend the budget.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.keyset import BadCursor
from files.forms import add_upload_error
from files.services import FileRejected
from files.upload_handlers import UploadTooLarge, upload_limit
from inquiries import selectors, services
from inquiries.forms import BugReportForm, InquiryForm
from inquiries.models import BugReport

# --- inquiries ------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def inquiry(request: HttpRequest) -> HttpResponse:
    form = InquiryForm(request.POST or None)
    if request.method == "POST":
        if form.is_from_a_robot():
            # Looks like success, stores nothing, sends nothing: a robot learns
            # nothing to adapt to (and still spends its rate-limit budget).
            return redirect("inquiries:thanks")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.inquiry_submit(
                    name=data["name"],
                    phone=data["phone"],
                    automation_needs=data["automation_needs"],
                    current_tools=data["current_tools"],
                    tool_issues=data["tool_issues"],
                    privacy_agreed=data["privacy_agreed"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("inquiries:thanks")
    return render(request, "inquiries/inquiry.html", {"form": form})


@require_GET
def inquiry_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "inquiries/inquiry_thanks.html")


# --- bug reports ----------------------------------------------------------------------


def _bug_form_page(request: HttpRequest, form: BugReportForm, status: int = 200, **extra):
    return render(request, "inquiries/bug_form.html", {"form": form, **extra}, status=status)


def _screenshot_too_large(request: HttpRequest, error: UploadTooLarge) -> HttpResponse:
    # The body was not read (upload_limit), so what was typed is gone: say so
    # plainly and keep the page the person came from. Not a redirect, so the
    # rate limit gives the hit back.
    form = BugReportForm(initial={"page_url": request.GET.get("from", "")})
    return _bug_form_page(request, form, status=413, upload_error=error.message)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@upload_limit(purpose="bug_screenshot", on_too_large=_screenshot_too_large)
def bug_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = BugReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = services.bug_report_create(
                    reporter=request.user,
                    title=data["title"],
                    description=data["description"],
                    severity=data["severity"],
                    screenshot=data.get("screenshot"),
                    page_url=data["page_url"],
                    user_agent=request.headers.get("User-Agent"),
                )
            except FileRejected as error:
                add_upload_error(form, "screenshot", error)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Thank you! Your report was sent to the Sqeeze team."))
                return redirect("inquiries:bug_detail", pk=report.pk)
    else:
        form = BugReportForm(initial={"page_url": request.GET.get("from", "")})
    return _bug_form_page(request, form)


@require_GET
@login_required
def bug_list(request: HttpRequest) -> HttpResponse:
    try:
        page = selectors.my_reports_page(request.user, after=request.GET.get("after"))
    except BadCursor:
        return HttpResponseBadRequest(_("This page of reports does not exist."))
    return render(request, "inquiries/bug_list.html", {"page": page})


@require_GET
@login_required
def bug_detail(request: HttpRequest, pk) -> HttpResponse:
    try:
        report = selectors.my_report(request.user, pk)
    except BugReport.DoesNotExist:
        # Someone else's report answers exactly like a missing one.
        raise Http404(_("No such report.")) from None
    return render(request, "inquiries/bug_detail.html", {"report": report})
