"""Users mutations: each takes an input object and returns a payload with `userErrors`."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from subgraphs.kernel.errors import DomainError
from subgraphs.kernel.types import UserError, user_errors
from subgraphs.users.transport.context import UsersContext
from subgraphs.users.transport.types import User
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
        try:
            done = await info.context.usecases.register(command)
        except DomainError as error:
            return RegisterPayload(user_errors=user_errors(error))
        token = done.access_token
        return RegisterPayload(
            user=User.from_model(done.user, is_caller=True),
            access_token=token.token,
            expires_at=token.expires_at,
        )

    @strawberry.mutation(description="Sign in with email and password.")
    async def login(self, info: Info[UsersContext, None], input: LoginInput) -> LoginPayload:
        try:
            done = await info.context.usecases.log_in(input.email, input.password)
        except DomainError as error:
            return LoginPayload(user_errors=user_errors(error))
        token = done.access_token
        return LoginPayload(
            user=User.from_model(done.user, is_caller=True),
            access_token=token.token,
            expires_at=token.expires_at,
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
        try:
            user = await info.context.usecases.update_profile(principal.user_id, changes)
        except DomainError as error:
            return UpdateProfilePayload(user_errors=user_errors(error))
        return UpdateProfilePayload(user=User.from_model(user))
