"""Session and password mutations: refresh, sign out, change and reset the password."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from subgraphs.kernel.graphql.types import MutationPayload, payload
from subgraphs.users.domain.user import User as UserModel
from subgraphs.users.transport.context import UsersContext
from subgraphs.users.transport.types import User
from subgraphs.users.usecase.ports import AccessToken
from subgraphs.users.usecase.session_ports import IssuedSession


@strawberry.type(description="A successful sign-in's tokens, or why there are none.")
class SignedInPayload(MutationPayload):
    """What `register`, `login` and `refreshSession` answer (each under its own name)."""

    user: User | None = strawberry.field(default=None, description="The signed-in user.")
    access_token: str | None = strawberry.field(
        default=None, description="Send as `Authorization: Bearer <token>`; null on userErrors."
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description="When the access token stops working."
    )
    refresh_token: str | None = strawberry.field(
        default=None,
        description="Spend it with refreshSession for new tokens; it works once. Null on failure.",
    )
    refresh_expires_at: datetime | None = strawberry.field(
        default=None,
        description="When the session ends at the latest, however often it is refreshed.",
    )


def signed_in(user: UserModel, token: AccessToken, session: IssuedSession) -> dict[str, Any]:
    """The fields a payload of a successful sign-in, registration or refresh carries."""
    return {
        "user": User.from_model(user, is_caller=True),
        "access_token": token.token,
        "expires_at": token.expires_at,
        "refresh_token": session.refresh_token,
        "refresh_expires_at": session.expires_at,
    }


@strawberry.input(description="The refresh token to spend.")
class RefreshSessionInput:
    refresh_token: str = strawberry.field(
        description="The latest refresh token this session was given."
    )


@strawberry.input(description="The session to end.")
class LogoutInput:
    refresh_token: str = strawberry.field(description="A refresh token of the session.")


@strawberry.input(description="The current password and the new one.")
class ChangePasswordInput:
    current_password: str = strawberry.field(description="The password in use now.")
    new_password: str = strawberry.field(description="8 to 128 characters.")


@strawberry.input(description="Whose password to reset.")
class RequestPasswordResetInput:
    email: str = strawberry.field(description="The account's email.")


@strawberry.input(description="A reset link's token and the new password.")
class ResetPasswordInput:
    token: str = strawberry.field(description="The token from the reset link.")
    new_password: str = strawberry.field(description="8 to 128 characters.")


@strawberry.type(description="The result of `refreshSession`.")
class RefreshSessionPayload(SignedInPayload):
    pass


@strawberry.type(description="The result of `logout`; its userErrors are always empty.")
class LogoutPayload(MutationPayload):
    pass


@strawberry.type(description="The result of `logoutEverywhere`; its userErrors are always empty.")
class LogoutEverywherePayload(MutationPayload):
    revoked_sessions: int = strawberry.field(
        default=0, description="How many sessions were still live and are now ended."
    )


@strawberry.type(description="The result of `changePassword`.")
class ChangePasswordPayload(MutationPayload):
    pass


@strawberry.type(
    description="The result of `requestPasswordReset`: the same for any email; userErrors "
    "only for an address that is not an email address."
)
class RequestPasswordResetPayload(MutationPayload):
    pass


@strawberry.type(description="The result of `resetPassword`.")
class ResetPasswordPayload(MutationPayload):
    pass


@strawberry.type(description="The session and password mutations (part of `Mutation`).")
class SessionMutation:
    @strawberry.mutation(
        description="Spend a refresh token for a new access token and a new refresh token. "
        "Reusing a spent refresh token ends the whole session (SESSION_REVOKED)."
    )
    async def refresh_session(
        self,
        info: Info[UsersContext, None],
        input: Annotated[RefreshSessionInput, strawberry.argument(description="The token.")],
    ) -> RefreshSessionPayload:
        return await payload(
            RefreshSessionPayload,
            info.context.usecases.refresh_session(input.refresh_token),
            lambda done: RefreshSessionPayload(
                **signed_in(done.user, done.access_token, done.session)
            ),
        )

    @strawberry.mutation(
        description="Sign out: end the session of this refresh token. An unknown token is "
        "no error. Access tokens already issued run out on their own."
    )
    async def logout(
        self,
        info: Info[UsersContext, None],
        input: Annotated[LogoutInput, strawberry.argument(description="The session.")],
    ) -> LogoutPayload:
        await info.context.usecases.log_out(input.refresh_token)
        return LogoutPayload()

    @strawberry.mutation(description="Sign out everywhere: end all of your sessions.")
    async def logout_everywhere(self, info: Info[UsersContext, None]) -> LogoutEverywherePayload:
        principal = await info.context.auth.require()
        revoked = await info.context.usecases.log_out_everywhere(principal.user_id)
        return LogoutEverywherePayload(revoked_sessions=revoked)

    @strawberry.mutation(
        description="Change your password; your other sessions end, this one stays."
    )
    async def change_password(
        self,
        info: Info[UsersContext, None],
        input: Annotated[ChangePasswordInput, strawberry.argument(description="The passwords.")],
    ) -> ChangePasswordPayload:
        principal = await info.context.auth.require()
        sid = principal.claims.get("sid")
        return await payload(
            ChangePasswordPayload,
            info.context.usecases.change_password(
                principal.user_id,
                sid if isinstance(sid, str) else None,
                input.current_password,
                input.new_password,
            ),
            lambda _: ChangePasswordPayload(),
        )

    @strawberry.mutation(
        description="Forgot password: mail a one-time reset link (short-lived) if an "
        "account has this email. The answer is the same either way."
    )
    async def request_password_reset(
        self,
        info: Info[UsersContext, None],
        input: Annotated[RequestPasswordResetInput, strawberry.argument(description="The email.")],
    ) -> RequestPasswordResetPayload:
        return await payload(
            RequestPasswordResetPayload,
            info.context.usecases.request_password_reset(input.email, info.context.client_address),
            lambda _: RequestPasswordResetPayload(),
        )

    @strawberry.mutation(
        description="Set a new password with the token of a reset link (once); "
        "every session of the account ends."
    )
    async def reset_password(
        self,
        info: Info[UsersContext, None],
        input: Annotated[ResetPasswordInput, strawberry.argument(description="Token, password.")],
    ) -> ResetPasswordPayload:
        return await payload(
            ResetPasswordPayload,
            info.context.usecases.reset_password(input.token, input.new_password),
            lambda _: ResetPasswordPayload(),
        )
