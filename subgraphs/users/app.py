"""Composition root of the users subgraph: settings in, ASGI app out."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from subgraphs.kernel.core.clock import utc_now
from subgraphs.kernel.core.ids import new_id
from subgraphs.kernel.graphql.auth import (
    JwtVerifier,
    RedisRevokedSessions,
    jwks_from_json,
    static_keys,
)
from subgraphs.kernel.process.deferred import Deferred
from subgraphs.kernel.runtime.app import SubgraphApp, create_subgraph_app
from subgraphs.kernel.runtime.wiring import ContextStores, request_context
from subgraphs.users.bootstrap import bootstrap
from subgraphs.users.credentials.passwords import Argon2PasswordHasher
from subgraphs.users.credentials.signing_keys import (
    JwtIssuer,
    SigningKey,
    jwks,
    load_or_create_signing_key,
    signing_key_from_pem,
)
from subgraphs.users.domain.session import SessionPolicy
from subgraphs.users.repository.mongo_passwords import MongoPasswordStore
from subgraphs.users.repository.mongo_sessions import MongoSessionRepository
from subgraphs.users.repository.mongo_users import MongoUserRepository
from subgraphs.users.repository.redis_login_throttle import RedisLoginThrottle
from subgraphs.users.repository.redis_session_deny_list import RedisSessionDenyList
from subgraphs.users.settings import UsersSettings
from subgraphs.users.transport.context import UsersContext
from subgraphs.users.transport.schema import build_schema
from subgraphs.users.usecase.request_password_reset import ResetPolicy


def signing_key(settings: UsersSettings) -> SigningKey:
    """The PEM from settings; outside production a key file generated on first start."""
    if settings.signing_key_pem is not None:
        return signing_key_from_pem(settings.signing_key_pem.get_secret_value().encode())
    if settings.is_production:
        raise RuntimeError("USERS_SIGNING_KEY_PEM must be set in production")
    return load_or_create_signing_key(settings.signing_key_file)


def build_app(settings: UsersSettings) -> SubgraphApp:
    stores = ContextStores(settings, "users")  # Redis: the relay and the login throttle
    users = MongoUserRepository(stores.db)
    sessions = MongoSessionRepository(stores.db)
    passwords = MongoPasswordStore(stores.db)
    stores.indexed(users, sessions, passwords)
    redis = stores.redis

    later = Deferred()  # closed before the stores: what it runs still needs them
    key = signing_key(settings)
    hasher = Argon2PasswordHasher()
    tokens = JwtIssuer(
        key,
        issuer=settings.auth.issuer,
        audience=settings.auth.audience,
        ttl=timedelta(seconds=settings.access_token_ttl_seconds),
        clock=utc_now,
    )
    # Entries outlive every access token of a revoked session, whatever the verifier's leeway.
    deny_for = timedelta(seconds=settings.access_token_ttl_seconds + settings.auth.leeway_seconds)
    usecases = bootstrap(
        users=users,
        sessions=sessions,
        deny_list=RedisSessionDenyList(redis.client, keep=deny_for, later=later),
        passwords=passwords,
        uow=stores.uow,
        hasher=hasher,
        tokens=tokens,
        throttle=RedisLoginThrottle(
            redis.client,
            max_failures=settings.login_max_failures,
            window_seconds=settings.login_window_seconds,
        ),
        reset_throttle=RedisLoginThrottle(
            redis.client,
            max_failures=settings.password_reset_max_requests,
            window_seconds=settings.password_reset_window_seconds,
            prefix="users:reset-requests:",
        ),
        later=later,
        session_policy=SessionPolicy(
            lifetime=timedelta(seconds=settings.session_lifetime_seconds),
            idle_timeout=timedelta(seconds=settings.session_idle_seconds),
        ),
        reset_policy=ResetPolicy(
            link_base=settings.password_reset_url,
            lifetime=timedelta(seconds=settings.password_reset_ttl_seconds),
        ),
        clock=utc_now,
        new_id=new_id,
    )
    public_keys = jwks(key)
    revoked = RedisRevokedSessions(redis.client)
    verifier = JwtVerifier(settings.auth, static_keys(jwks_from_json(public_keys)), revoked=revoked)

    async def jwks_endpoint(_: Request) -> Response:
        return JSONResponse(public_keys, headers={"cache-control": "public, max-age=300"})

    async def revoked_endpoint(request: Request) -> Response:
        """Whether a session was revoked, for the gateway (which has no Redis client)."""
        answer = await revoked.revoked(request.path_params["session_id"])
        return JSONResponse({"revoked": answer}, headers={"cache-control": "no-store"})

    return create_subgraph_app(
        settings=settings,
        build_schema=build_schema,
        context=request_context(
            UsersContext, settings=settings, usecases=usecases, verifier=verifier
        ),
        resources=[*stores.resources(), later],
        routes=[
            Route("/.well-known/jwks.json", jwks_endpoint, methods=["GET"]),
            Route("/sessions/revoked/{session_id}", revoked_endpoint, methods=["GET"]),
        ],
    )
