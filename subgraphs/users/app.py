"""Composition root of the users subgraph: settings in, ASGI app out."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import redis.asyncio as aioredis
from pymongo.asynchronous.database import AsyncDatabase
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
from subgraphs.kernel.stores.resources import Document
from subgraphs.users.bootstrap import StaffWiring, bootstrap
from subgraphs.users.credentials.passwords import Argon2PasswordHasher
from subgraphs.users.credentials.secret_box import SecretBox
from subgraphs.users.credentials.signing_keys import (
    JwtIssuer,
    SigningKey,
    jwks,
    load_or_create_signing_key,
    signing_key_from_pem,
)
from subgraphs.users.domain.second_factor import SecondFactorPolicy
from subgraphs.users.domain.session import SessionPolicy
from subgraphs.users.domain.staff import RECORDED_EVENTS
from subgraphs.users.domain.throttling import BackoffPolicy
from subgraphs.users.repository.mongo_passwords import MongoPasswordStore
from subgraphs.users.repository.mongo_second_factors import MongoSecondFactors
from subgraphs.users.repository.mongo_sessions import MongoSessionRepository
from subgraphs.users.repository.mongo_staff import MongoStaff
from subgraphs.users.repository.mongo_users import MongoUserRepository
from subgraphs.users.repository.mongo_verifications import MongoEmailVerifications
from subgraphs.users.repository.redis_session_deny_list import RedisSessionDenyList
from subgraphs.users.repository.redis_throttles import RedisRateLimit, RedisSignInBackoff
from subgraphs.users.settings import UsersSettings
from subgraphs.users.transport.context import UsersContext
from subgraphs.users.transport.schema import build_schema
from subgraphs.users.usecase.events_read import EVENTS_READ
from subgraphs.users.usecase.invite_staff import InvitationPolicy
from subgraphs.users.usecase.request_password_reset import ResetPolicy
from subgraphs.users.usecase.throttles import Throttles
from subgraphs.users.usecase.verify_email import VerificationPolicy


def signing_key(settings: UsersSettings) -> SigningKey:
    """The PEM from settings; outside production a key file generated on first start."""
    if settings.signing_key_pem is not None:
        return signing_key_from_pem(settings.signing_key_pem.get_secret_value().encode())
    if settings.is_production:
        raise RuntimeError("USERS_SIGNING_KEY_PEM must be set in production")
    return load_or_create_signing_key(settings.signing_key_file)


def secret_box(settings: UsersSettings, key: SigningKey) -> SecretBox:
    """What seals the TOTP secrets: the configured key, else one derived from `key`."""
    if settings.totp_encryption_key is not None:
        return SecretBox.from_base64(settings.totp_encryption_key.get_secret_value())
    return SecretBox.derived_from(key.private_key)


def staff_stores(
    settings: UsersSettings, db: AsyncDatabase[Document], key: SigningKey
) -> tuple[MongoSecondFactors, MongoStaff]:
    """The second factors (secrets sealed, see `secret_box`) and the staff store on `db`."""
    return MongoSecondFactors(db, secret_box(settings, key)), MongoStaff(db)


def staff_wiring(
    settings: UsersSettings, factors: MongoSecondFactors, store: MongoStaff
) -> StaffWiring:
    """The staff stores and the staff rules of `settings`."""
    return StaffWiring(
        second_factors=factors,
        store=store,
        second_factor_policy=SecondFactorPolicy(
            max_failures=settings.second_factor_max_failures,
            lock=timedelta(seconds=settings.second_factor_lock_seconds),
            challenge_lifetime=timedelta(seconds=settings.second_factor_challenge_ttl_seconds),
        ),
        invitation_policy=InvitationPolicy(
            link_base=settings.staff_invitation_url,
            lifetime=timedelta(seconds=settings.staff_invitation_ttl_seconds),
        ),
    )


def throttles(redis: aioredis.Redis, settings: UsersSettings) -> Throttles:
    """The sign-up, sign-in and reset throttles on Redis, with the limits of `settings`."""

    def limit(prefix: str, most: int, window: int) -> RedisRateLimit:
        return RedisRateLimit(redis, prefix=prefix, limit=most, window_seconds=window)

    window = settings.address_window_seconds
    return Throttles(
        sign_in_by_address=limit("users:sign-ins-by-address:", settings.login_per_address, window),
        sign_in_by_account=RedisSignInBackoff(
            redis,
            BackoffPolicy(
                free_failures=settings.login_free_failures,
                base_seconds=settings.login_delay_seconds,
                max_seconds=settings.login_max_delay_seconds,
                memory_seconds=settings.login_memory_seconds,
            ),
        ),
        sign_up_by_address=limit("users:sign-ups-by-address:", settings.signup_per_address, window),
        sign_up_by_email=limit("users:sign-ups-by-email:", settings.signup_per_email, window),
        reset_by_address=limit(
            "users:resets-by-address:", settings.password_reset_per_address, window
        ),
        reset_by_email=limit(
            "users:reset-requests:",
            settings.password_reset_max_requests,
            settings.password_reset_window_seconds,
        ),
    )


def build_app(settings: UsersSettings) -> SubgraphApp:
    stores = ContextStores(settings, "users")  # Redis: the relay and the login throttle
    users = MongoUserRepository(stores.db)
    sessions = MongoSessionRepository(stores.db)
    passwords = MongoPasswordStore(stores.db)
    verifications = MongoEmailVerifications(stores.db)
    key = signing_key(settings)
    factors, staff_store = staff_stores(settings, stores.db, key)
    stores.indexed(users, sessions, passwords, verifications, factors, staff_store)
    staff = staff_wiring(settings, factors, staff_store)
    redis = stores.redis

    later = Deferred()  # closed before the stores: what it runs still needs them
    hasher = Argon2PasswordHasher()
    tokens = JwtIssuer(
        key,
        issuer=settings.auth.issuer,
        audience=settings.auth.audience,
        ttl=timedelta(seconds=settings.access_token_ttl_seconds),
        clock=utc_now,
        staff_ttl=timedelta(seconds=settings.staff_access_token_ttl_seconds),
    )
    # Entries outlive every access token of a revoked session, whatever the verifier's leeway.
    longest = max(settings.access_token_ttl_seconds, settings.staff_access_token_ttl_seconds)
    deny_for = timedelta(seconds=longest + settings.auth.leeway_seconds)
    usecases = bootstrap(
        users=users,
        sessions=sessions,
        deny_list=RedisSessionDenyList(redis.client, keep=deny_for, later=later),
        passwords=passwords,
        verifications=verifications,
        uow=stores.uow,
        hasher=hasher,
        tokens=tokens,
        throttles=throttles(redis.client, settings),
        later=later,
        session_policy=SessionPolicy(
            lifetime=timedelta(seconds=settings.session_lifetime_seconds),
            idle_timeout=timedelta(seconds=settings.session_idle_seconds),
        ),
        reset_policy=ResetPolicy(
            link_base=settings.password_reset_url,
            lifetime=timedelta(seconds=settings.password_reset_ttl_seconds),
        ),
        verification_policy=VerificationPolicy(
            link_base=settings.email_verification_url,
            lifetime=timedelta(seconds=settings.email_verification_ttl_seconds),
        ),
        staff=staff,
        clock=utc_now,
        new_id=new_id,
    )
    # Staff actions of other contexts, for the activity record.
    consumer = stores.consumer(
        EVENTS_READ, handlers=dict.fromkeys(RECORDED_EVENTS, usecases.staff.record_event)
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
            partial(UsersContext, proxy_hops=settings.trusted_proxy_hops),
            settings=settings,
            usecases=usecases,
            verifier=verifier,
        ),
        resources=[*stores.resources(), consumer.task("staff-actions-consumer"), later],
        routes=[
            Route("/.well-known/jwks.json", jwks_endpoint, methods=["GET"]),
            Route("/sessions/revoked/{session_id}", revoked_endpoint, methods=["GET"]),
        ],
    )
