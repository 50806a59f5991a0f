"""The events users publishes on `events.users`: each one's type, version and payload.

The payloads are built through these declarations, and their JSON Schemas, generated from
them, are published in docs/events.asyncapi.yaml (docs/events.md "Event contracts"). Add a
field freely; remove or retype one only in a new version.
"""

from subgraphs.kernel.core.events import EventSpec, TypedDict


class Registered(TypedDict):
    user_id: str
    email: str
    name: str
    phone: str | None


class ProfileUpdated(TypedDict):
    user_id: str
    name: str
    phone: str | None


class SignUpAttempted(TypedDict):
    user_id: str  # the account that has the address
    email: str


class PasswordResetRequested(TypedDict):
    user_id: str
    email: str
    name: str
    reset_url: str  # the one-time link to mail
    expires_at: str  # ISO-8601


class PasswordChanged(TypedDict):
    user_id: str
    how: str  # changed (by its owner, signed in) or reset (by a reset link)


class EmailVerificationRequested(TypedDict):
    user_id: str
    email: str
    verify_url: str  # the one-time link to mail
    expires_at: str  # ISO-8601


class EmailVerified(TypedDict):
    user_id: str
    email: str
    name: str


class StaffFields(TypedDict):
    user_id: str | None  # the account acted upon
    actor_id: str | None  # the staff member; null for the command line
    reason: str | None


class StaffCreated(StaffFields):
    email: str
    role: str


class StaffInvited(StaffFields):
    email: str
    role: str
    expires_at: str  # ISO-8601
    invite_url: str  # the one-time link to mail (not kept in the activity record)


class StaffInvitationAccepted(StaffFields):
    email: str
    role: str
    invited_by: str


# `from` is a Python keyword: the functional form.
StaffRoleChanged = TypedDict(
    "StaffRoleChanged",
    {
        "user_id": str | None,
        "actor_id": str | None,
        "reason": str | None,
        "from": str,
        "to": str,
    },
)


class StaffDisabled(StaffFields):
    role: str


REGISTERED = EventSpec("users.registered", Registered, summary="An account was registered.")
PROFILE_UPDATED = EventSpec(
    "users.profile_updated", ProfileUpdated, summary="A user changed their name or phone."
)
SIGN_UP_ATTEMPTED = EventSpec(
    "users.sign_up_attempted",
    SignUpAttempted,
    summary="Someone tried to register an address that has an account (its owner is told).",
)
PASSWORD_RESET_REQUESTED = EventSpec(
    "users.password_reset_requested", PasswordResetRequested, summary="A reset link to mail."
)
PASSWORD_CHANGED = EventSpec(
    "users.password_changed", PasswordChanged, summary="A password was changed or reset."
)
EMAIL_VERIFICATION_REQUESTED = EventSpec(
    "users.email_verification_requested",
    EmailVerificationRequested,
    summary="A verification link to mail.",
)
EMAIL_VERIFIED = EventSpec(
    "users.email_verified", EmailVerified, summary="An address was verified by its owner."
)
STAFF_CREATED = EventSpec(
    "users.staff_created", StaffCreated, summary="A staff account made on the command line."
)
STAFF_INVITED = EventSpec("users.staff_invited", StaffInvited, summary="Staff were invited.")
STAFF_INVITATION_ACCEPTED = EventSpec(
    "users.staff_invitation_accepted",
    StaffInvitationAccepted,
    summary="An invitation was accepted: a new staff account.",
)
STAFF_ROLE_CHANGED = EventSpec(
    "users.staff_role_changed", StaffRoleChanged, summary="A staff member's role changed."
)
STAFF_DISABLED = EventSpec(
    "users.staff_disabled", StaffDisabled, summary="A staff account was disabled."
)

PRODUCED = (
    REGISTERED,
    PROFILE_UPDATED,
    SIGN_UP_ATTEMPTED,
    PASSWORD_RESET_REQUESTED,
    PASSWORD_CHANGED,
    EMAIL_VERIFICATION_REQUESTED,
    EMAIL_VERIFIED,
    STAFF_CREATED,
    STAFF_INVITED,
    STAFF_INVITATION_ACCEPTED,
    STAFF_ROLE_CHANGED,
    STAFF_DISABLED,
)
