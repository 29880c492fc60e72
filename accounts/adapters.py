"""allauth account adapter: how sign-up saves a profile (the sign-up work extends it)."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    pass
