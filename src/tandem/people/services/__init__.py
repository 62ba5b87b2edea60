"""Every write about people: accounts, profiles, availability, identity and API tokens. Split
by sub-domain; import from here.

Services take keyword-only arguments, validate everything before writing, run inside
``transaction.atomic`` and send email only on commit. Errors a person can cause are raised as
``ApplicationError`` with a ``fields`` map; the messages are module constants.
"""

from tandem.people.services.accounts import (
    ACCOUNT_EMAIL_MAX_LENGTH,
    EMAIL_INVALID,
    EMAIL_TOO_LONG,
    NAME_MAX_LENGTH,
    VERIFY_TOKEN_EXPIRED,
    VERIFY_TOKEN_INVALID,
    user_mark_email_verified,
    user_send_verification,
    user_sign_up,
    user_verification_token,
    user_verification_url,
    user_verify_email,
)
from tandem.people.services.availability import (
    profile_refresh_availability,
    profiles_refresh_availability_bulk,
)
from tandem.people.services.identity import (
    IDENTITY_CONSENT_REQUIRED,
    identity_set,
    identity_withdraw,
)
from tandem.people.services.manager import (
    MANAGER_EMAIL_NEEDED,
    MANAGER_NOT_CHOSEN,
    MANAGER_SELF,
)
from tandem.people.services.passwords import (
    SITE_ADMIN_CREATED,
    SITE_ADMIN_DISABLED,
    SITE_ADMIN_SET,
    credentials_cut_off,
    password_by_site_admin_notify,
    register_credential_rotator,
    user_password_set,
)
from tandem.people.services.profiles import (
    PROFILE_FORBIDDEN,
    PROFILE_INVALID,
    UNSET,
    profile_ensure,
    profile_set_availability,
    profile_update,
    skill_get_or_create_bulk,
    skill_split,
    skill_vocabulary_add,
)
from tandem.people.services.tokens import (
    TOKEN_LIMIT,
    TOKEN_NAME_REQUIRED,
    api_token_create,
    api_token_revoke,
)

__all__ = [
    "ACCOUNT_EMAIL_MAX_LENGTH",
    "EMAIL_INVALID",
    "EMAIL_TOO_LONG",
    "IDENTITY_CONSENT_REQUIRED",
    "MANAGER_EMAIL_NEEDED",
    "MANAGER_NOT_CHOSEN",
    "MANAGER_SELF",
    "NAME_MAX_LENGTH",
    "PROFILE_FORBIDDEN",
    "PROFILE_INVALID",
    "SITE_ADMIN_CREATED",
    "SITE_ADMIN_DISABLED",
    "SITE_ADMIN_SET",
    "TOKEN_LIMIT",
    "TOKEN_NAME_REQUIRED",
    "UNSET",
    "VERIFY_TOKEN_EXPIRED",
    "VERIFY_TOKEN_INVALID",
    "api_token_create",
    "api_token_revoke",
    "credentials_cut_off",
    "identity_set",
    "identity_withdraw",
    "password_by_site_admin_notify",
    "profile_ensure",
    "profile_refresh_availability",
    "profile_set_availability",
    "profile_update",
    "profiles_refresh_availability_bulk",
    "register_credential_rotator",
    "skill_get_or_create_bulk",
    "skill_split",
    "skill_vocabulary_add",
    "user_mark_email_verified",
    "user_password_set",
    "user_send_verification",
    "user_sign_up",
    "user_verification_token",
    "user_verification_url",
    "user_verify_email",
]
