"""Account forms (the sign-up work extends these)."""

from allauth.account.forms import SignupForm as AllauthSignupForm


class SignupForm(AllauthSignupForm):
    pass
