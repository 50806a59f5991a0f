"""Composition root of the users subgraph: settings in, ASGI app out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from functools import partial

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from subgraphs.kernel.app import SubgraphApp, create_subgraph_app
from subgraphs.kernel.auth import JwtVerifier, jwks_from_json, static_keys
from subgraphs.kernel.outbox import OutboxRelay
from subgraphs.kernel.resources import MongoResource, RedisResource
from subgraphs.users.credentials.passwords import Argon2PasswordHasher
from subgraphs.users.credentials.signing_keys import (
    JwtIssuer,
    SigningKey,
    jwks,
    load_or_create_signing_key,
    signing_key_from_pem,
)
from subgraphs.users.repository.mongo_users import MongoUserRepository
from subgraphs.users.repository.redis_login_throttle import RedisLoginThrottle
from subgraphs.users.settings import UsersSettings
from subgraphs.users.transport.context import UsersContext, UsersUseCases
from subgraphs.users.transport.schema import build_schema
from subgraphs.users.usecase.login import LogIn
from subgraphs.users.usecase.read_users import ReadUsers
from subgraphs.users.usecase.register import RegisterUser
from subgraphs.users.usecase.update_profile import UpdateProfile


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def signing_key(settings: UsersSettings) -> SigningKey:
    """The PEM from settings; outside production a key file generated on first start."""
    if settings.signing_key_pem is not None:
        return signing_key_from_pem(settings.signing_key_pem.get_secret_value().encode())
    if settings.is_production:
        raise RuntimeError("USERS_SIGNING_KEY_PEM must be set in production")
    return load_or_create_signing_key(settings.signing_key_file)


def build_app(settings: UsersSettings) -> SubgraphApp:
    mongo = MongoResource(settings.mongo, settings.database)
    redis = RedisResource(settings.redis, critical=False)  # the relay and the login throttle
    relay = OutboxRelay.for_settings(mongo.db, redis.client, "users", settings.streams)
    users = MongoUserRepository(mongo.db, after_commit=relay.wake)
    mongo.on_start(users.ensure_indexes)

    key = signing_key(settings)
    hasher = Argon2PasswordHasher()
    tokens = JwtIssuer(
        key,
        issuer=settings.auth.issuer,
        audience=settings.auth.audience,
        ttl=timedelta(seconds=settings.access_token_ttl_seconds),
        clock=utc_now,
    )
    usecases = UsersUseCases(
        register=RegisterUser(users, hasher, tokens, utc_now, new_id),
        log_in=LogIn(
            users,
            hasher,
            tokens,
            RedisLoginThrottle(
                redis.client,
                max_failures=settings.login_max_failures,
                window_seconds=settings.login_window_seconds,
            ),
        ),
        update_profile=UpdateProfile(users, utc_now),
        read_users=ReadUsers(users),
    )
    public_keys = jwks(key)
    verifier = JwtVerifier(settings.auth, static_keys(jwks_from_json(public_keys)))

    async def jwks_endpoint(_: Request) -> Response:
        return JSONResponse(public_keys, headers={"cache-control": "public, max-age=300"})

    return create_subgraph_app(
        settings=settings,
        build_schema=build_schema,
        context=partial(UsersContext, verifier=verifier, usecases=usecases),
        resources=[
            mongo,
            redis,
            relay.task(),
        ],
        routes=[Route("/.well-known/jwks.json", jwks_endpoint, methods=["GET"])],
    )
