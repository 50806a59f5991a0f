"""Users mutations: each takes an input object and returns a payload with `userErrors`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from subgraphs.kernel.graphql.types import MutationPayload, mutation_root, payload
from subgraphs.users.transport.context import UsersContext
from subgraphs.users.transport.session_mutations import (
    SessionMutation,
    SignedInPayload,
    signed_in,
)
from subgraphs.users.transport.staff import StaffMutation
from subgraphs.users.transport.types import User
from subgraphs.users.usecase.login import SecondFactorRequired, SignedIn
from subgraphs.users.usecase.register import Registration
from subgraphs.users.usecase.update_profile import ProfileChanges


@strawberry.input(description="A new account.")
class RegisterInput:
    email: str = strawberry.field(description="Where mail goes; also the sign-in name.")
    password: str = strawberry.field(description="8 to 128 characters.")
    name: str = strawberry.field(description="The name to go by.")
    phone: str | None = strawberry.field(
        default=None, description="For SMS notifications, in international format (+...)."
    )


@strawberry.input(description="Credentials.")
class LoginInput:
    email: str = strawberry.field(description="The account's email.")
    password: str = strawberry.field(description="The account's password.")


@strawberry.input(description="Profile changes; omitted fields stay as they are.")
class UpdateProfileInput:
    name: str | None = strawberry.field(default=None, description="Omit to keep the name.")
    phone: str | None = strawberry.field(
        default=strawberry.UNSET, description="Omit to keep the phone; null removes it."
    )


@strawberry.input(description="A verification link's token.")
class VerifyEmailInput:
    token: str = strawberry.field(description="The token from the link mailed to the address.")


@strawberry.type(description="The result of `verifyEmail`.")
class VerifyEmailPayload(MutationPayload):
    user: User | None = strawberry.field(default=None, description="The user, verified.")


@strawberry.type(description="The result of `resendVerificationEmail`.")
class ResendVerificationEmailPayload(MutationPayload):
    pass


def _never_signed_in() -> Any:
    """A field `register` kept from when it signed in: always null now."""
    return strawberry.field(
        default=None,
        description="Always null.",
        deprecation_reason="`register` never signs in (its answer must not tell whether the "
        "email had an account): call `login` next.",
    )


@strawberry.type(
    description="The result of `register`: userErrors for bad input, else nothing, whether the "
    "email was free (the account now exists) or taken (its owner is told by mail)."
)
class RegisterPayload(MutationPayload):
    user: User | None = _never_signed_in()
    access_token: str | None = _never_signed_in()
    expires_at: datetime | None = _never_signed_in()
    refresh_token: str | None = _never_signed_in()
    refresh_expires_at: datetime | None = _never_signed_in()


@strawberry.type(
    description="The result of `login`: tokens, or for staff a challenge to send with the "
    "second factor's code to `verifySecondFactor` (which answers the tokens)."
)
class LoginPayload(SignedInPayload):
    second_factor_challenge: str | None = strawberry.field(
        default=None,
        description="Staff only: no tokens yet; send it with a code to `verifySecondFactor` "
        "within minutes (it works once).",
    )


def logged_in(done: SignedIn | SecondFactorRequired) -> LoginPayload:
    if isinstance(done, SecondFactorRequired):
        return LoginPayload(second_factor_challenge=done.challenge)
    return LoginPayload(**signed_in(done.user, done.access_token, done.session))


@strawberry.type(description="The result of `updateProfile`.")
class UpdateProfilePayload(MutationPayload):
    user: User | None = strawberry.field(default=None, description="The user, changed.")


def registered(_: None) -> RegisterPayload:
    return RegisterPayload()  # the same for a free and a taken email


@mutation_root
class Mutation(SessionMutation, StaffMutation):
    @strawberry.mutation(
        description="Create an account, then sign in with `login`. An email that already has "
        "an account gets the same answer (its owner is told by mail)."
    )
    async def register(
        self,
        info: Info[UsersContext, None],
        input: Annotated[RegisterInput, strawberry.argument(description="The account.")],
    ) -> RegisterPayload:
        command = Registration(
            email=input.email, password=input.password, name=input.name, phone=input.phone
        )
        return await payload(
            RegisterPayload,
            info.context.usecases.register(command, info.context.client_address),
            registered,
        )

    @strawberry.mutation(
        description="Sign in with email and password. Staff get `secondFactorChallenge` "
        "instead of tokens (see `verifySecondFactor`)."
    )
    async def login(
        self,
        info: Info[UsersContext, None],
        input: Annotated[LoginInput, strawberry.argument(description="The credentials.")],
    ) -> LoginPayload:
        return await payload(
            LoginPayload,
            info.context.usecases.log_in(input.email, input.password, info.context.client_address),
            logged_in,
        )

    @strawberry.mutation(
        description="Verify an email address with the link mailed to it (works once; no "
        "sign-in needed)."
    )
    async def verify_email(
        self,
        info: Info[UsersContext, None],
        input: Annotated[VerifyEmailInput, strawberry.argument(description="The link's token.")],
    ) -> VerifyEmailPayload:
        return await payload(
            VerifyEmailPayload,
            info.context.usecases.verify_email(input.token),
            lambda user: VerifyEmailPayload(user=User.from_model(user)),
        )

    @strawberry.mutation(
        description="Mail a new verification link to your address, if it is not verified yet."
    )
    async def resend_verification_email(
        self, info: Info[UsersContext, None]
    ) -> ResendVerificationEmailPayload:
        principal = await info.context.auth.require()
        return await payload(
            ResendVerificationEmailPayload,
            info.context.usecases.resend_verification(principal.user_id),
            lambda _: ResendVerificationEmailPayload(),
        )

    @strawberry.mutation(description="Change your name and/or phone.")
    async def update_profile(
        self,
        info: Info[UsersContext, None],
        input: Annotated[UpdateProfileInput, strawberry.argument(description="The changes.")],
    ) -> UpdateProfilePayload:
        principal = await info.context.auth.require()
        changes = ProfileChanges(
            name=input.name,
            phone=input.phone or None,
            set_phone=input.phone is not strawberry.UNSET,
        )
        return await payload(
            UpdateProfilePayload,
            info.context.usecases.update_profile(principal.user_id, changes),
            lambda user: UpdateProfilePayload(user=User.from_model(user)),
        )
