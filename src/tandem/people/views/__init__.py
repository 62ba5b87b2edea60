"""Account and profile pages, split by sub-domain; ``urls`` takes them from here. Thin: parse
with a form, call one service, render.

Unverified accounts may log in, edit their profile, manage tokens and use programs; every
people page shows a "verify your email" notice with a resend button until they do.
"""

from tandem.people.views.accounts import (
    LoginView,
    LogoutView,
    PasswordResetCompleteView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
    account,
    api_token_revoke,
    signup,
    signup_sent,
    verify_email,
    verify_email_resend,
)
from tandem.people.views.closing import account_delete, account_deleted
from tandem.people.views.identity import identity_edit, identity_withdraw
from tandem.people.views.manager import manager_suggest
from tandem.people.views.profiles import (
    availability_row,
    profile_detail,
    profile_edit,
    skill_suggest,
)

__all__ = [
    "LoginView",
    "LogoutView",
    "PasswordResetCompleteView",
    "PasswordResetConfirmView",
    "PasswordResetDoneView",
    "PasswordResetView",
    "account",
    "account_delete",
    "account_deleted",
    "api_token_revoke",
    "availability_row",
    "identity_edit",
    "identity_withdraw",
    "manager_suggest",
    "profile_detail",
    "profile_edit",
    "signup",
    "signup_sent",
    "skill_suggest",
    "verify_email",
    "verify_email_resend",
]
