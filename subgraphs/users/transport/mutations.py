"""Users mutations: each takes an input object and returns a payload with `userErrors`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.kernel.types import UserError, payload
from subgraphs.users.domain.user import User as UserModel
from subgraphs.users.transport.context import UsersContext
from subgraphs.users.transport.types import User
from subgraphs.users.usecase.ports import AccessToken
from subgraphs.users.usecase.register import Registration
from subgraphs.users.usecase.update_profile import ProfileChanges


@strawberry.input
class RegisterInput:
    email: str
    password: str
    name: str
    phone: str | None = None


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.input
class UpdateProfileInput:
    name: str | None = strawberry.field(default=None, description="Omit to keep the name.")
    phone: str | None = strawberry.field(
        default=strawberry.UNSET, description="Omit to keep the phone; null removes it."
    )


@strawberry.type
class RegisterPayload:
    user: User | None = None
    access_token: str | None = None
    expires_at: datetime | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class LoginPayload:
    access_token: str | None = None
    expires_at: datetime | None = None
    user: User | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UpdateProfilePayload:
    user: User | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create an account and sign in.")
    async def register(
        self, info: Info[UsersContext, None], input: RegisterInput
    ) -> RegisterPayload:
        command = Registration(
            email=input.email, password=input.password, name=input.name, phone=input.phone
        )
        return await payload(
            RegisterPayload,
            info.context.usecases.register(command),
            lambda done: RegisterPayload(**_signed_in(done.user, done.access_token)),
        )

    @strawberry.mutation(description="Sign in with email and password.")
    async def login(self, info: Info[UsersContext, None], input: LoginInput) -> LoginPayload:
        return await payload(
            LoginPayload,
            info.context.usecases.log_in(input.email, input.password),
            lambda done: LoginPayload(**_signed_in(done.user, done.access_token)),
        )

    @strawberry.mutation(description="Change your name and/or phone.")
    async def update_profile(
        self, info: Info[UsersContext, None], input: UpdateProfileInput
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


def _signed_in(user: UserModel, token: AccessToken) -> dict[str, Any]:
    """The fields a payload of a successful sign-in (or registration) carries."""
    return {
        "user": User.from_model(user, is_caller=True),
        "access_token": token.token,
        "expires_at": token.expires_at,
    }
