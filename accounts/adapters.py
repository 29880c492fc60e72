"""allauth account adapter: how sign-up saves a profile."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from django.db import transaction

from accounts.services import browser_terms, role_on_arrival
from core.client_ip import client_ip, client_network
from core.ratelimit import rate_limit_hit, rate_limited_response

# Sign-up form fields copied onto the profile as they are (already cleaned).
PROFILE_FIELDS = ("first_name", "last_name", "phone", "organization")
CONSENT_FIELDS = ("privacy_agreed", "marketing_opt_in")


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        # allauth's own per-address limits count the same address as ours.
        return client_ip(request) or super().get_client_ip(request)

    def send_confirmation_mail(self, request, emailconfirmation, signup: bool) -> None:
        """A verification mail sent *again* (a log-in with an unverified
        address, or "send again") spends the client's budget; the first one is
        part of the sign-up, which has its own. Over budget, the person gets
        the 429 page and no mail is sent."""
        if request is not None and not signup:
            hit = rate_limit_hit(scope="verification_email", client=client_network(request))
            if not hit.allowed:
                raise ImmediateHttpResponse(
                    rate_limited_response(request, hit, scope="verification_email")
                )
        super().send_confirmation_mail(request, emailconfirmation, signup)

    def is_open_for_signup(self, request) -> bool:
        # Anyone may sign up as a student; teacher and admin need a code.
        return True

    def save_user(self, request, user, form, commit: bool = True):
        """Save the new profile with the form's names, phone, organization and
        consents, and the browser's time zone and language; the role comes from
        a redeemed access code, else student.

        The code's use and the profile insert share one transaction: when
        either fails, neither happens. Only cleaned form fields are read, so a
        forged ``role`` or ``is_superuser`` in the POST changes nothing.
        """
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=False)
            data = form.cleaned_data
            user.email = (user.email or "").lower()
            for name in PROFILE_FIELDS:
                if name in data:
                    setattr(user, name, data[name] or None)
            for name in CONSENT_FIELDS:
                if name in data:
                    setattr(user, name, bool(data[name]))
            user.is_superuser = False
            user.role = role_on_arrival(
                organization=user.organization, code=data.get("access_code")
            )
            browser_terms(user, zone=data.get("browser_timezone"))
            if commit:
                user.save()
        return user
