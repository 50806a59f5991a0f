"""Staff accounts on the command line: `python -m subgraphs.users.staff_cli add EMAIL --role R`.

How the first admin comes to be (`make staff ARGS="add EMAIL --role admin"`):
the password is read from standard input (one line; asked for without echo
on a terminal), the account is written to the configured MongoDB (the
`USERS_*` and `MONGODB_*` settings, as the subgraph reads them) with a
verified address, and what its owner needs once is printed: the TOTP
enrolment URI (`otpauth://...`, for an authenticator app) and the 10
recovery codes. Neither is shown again. Later staff are invited
(`inviteStaff`).

The TOTP secret is stored sealed with the key the subgraph uses (see
`secret_box`): run this with the subgraph's `USERS_SIGNING_KEY_*` or
`USERS_TOTP_ENCRYPTION_KEY` settings.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Sequence
from typing import TextIO

from subgraphs.kernel.core.access import Role
from subgraphs.kernel.core.clock import utc_now
from subgraphs.kernel.core.errors import DomainError
from subgraphs.kernel.core.ids import new_id
from subgraphs.kernel.stores.mongo import MongoUnitOfWork
from subgraphs.kernel.stores.resources import MongoResource
from subgraphs.users.app import signing_key, staff_stores
from subgraphs.users.credentials.passwords import Argon2PasswordHasher
from subgraphs.users.repository.mongo_users import MongoUserRepository
from subgraphs.users.settings import UsersSettings
from subgraphs.users.usecase.create_staff import CreateStaff, NewStaff, StaffAccountPorts

STAFF_ROLES = [role.value for role in Role if role.is_staff]


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make staff ARGS=", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="make a staff account (password on standard input)")
    add.add_argument("email")
    add.add_argument("--role", choices=STAFF_ROLES, required=True)
    add.add_argument("--name", help="the name to go by (default: the email's local part)")
    return parser.parse_args(argv)


def read_password(stdin: TextIO) -> str:
    if stdin.isatty():
        return getpass.getpass("Password: ")
    return stdin.readline().rstrip("\r\n")


async def add_staff(
    settings: UsersSettings, email: str, password: str, name: str, role: Role
) -> NewStaff:
    """Write the account (its second factor and the activity entry with it) and its event."""
    mongo = MongoResource(settings.mongo, settings.database)
    users = MongoUserRepository(mongo.db)
    factors, staff = staff_stores(settings, mongo.db, signing_key(settings))
    uow = MongoUnitOfWork(mongo.db, "users")  # the subgraph's relay publishes the event
    for store in (users, factors, staff, uow):
        mongo.on_start(store.ensure_indexes)
    await mongo.start()
    try:
        ports = StaffAccountPorts(
            users, factors, staff, uow, Argon2PasswordHasher(), utc_now, new_id
        )
        return await CreateStaff(ports)(email, password, name, role)
    finally:
        await mongo.close()


def main(
    argv: Sequence[str] | None = None, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout
) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    password = read_password(stdin)
    name = args.name or args.email.partition("@")[0]
    try:
        made = asyncio.run(add_staff(UsersSettings(), args.email, password, name, Role(args.role)))
    except DomainError as error:
        for problem in error.problems:
            print(f"error: {problem.code}: {problem.message}", file=sys.stderr)
        return 1
    print(f"Staff account {made.user.email} ({made.user.role.value}), id {made.user.id}", file=out)
    print("Add this to an authenticator app (shown once):", file=out)
    print(made.enrolment_uri, file=out)
    print("Recovery codes, each usable once instead of an app code (shown once):", file=out)
    for code in made.recovery_codes:
        print(code, file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
