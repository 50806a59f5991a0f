"""Staff sign-ins and staff management, as the back office sends them (integration and e2e).

A staff member signs in with the password (`login` answers `secondFactorChallenge`)
and then the code their authenticator app shows (`verifySecondFactor`), computed
here from the `otpauth://` URI they were given. A code's time step is accepted
once, so `StaffMember` remembers the last one it used and takes the next step
the server still accepts (one either side of now), never waiting.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from subgraphs.users.domain.second_factor import SKEW_STEPS, STEP_SECONDS, code_at, time_step
from testkit.client import graphql
from testkit.journeys import PASSWORD

VERIFY_SECOND_FACTOR = """
mutation Verify($input: VerifySecondFactorInput!) {
  verifySecondFactor(input: $input) {
    accessToken expiresAt refreshToken refreshExpiresAt
    user { id email role }
    userErrors { field message code }
  }
}"""

STAFF_LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    accessToken refreshToken secondFactorChallenge
    userErrors { field message code }
  }
}"""

INVITE_STAFF = """
mutation Invite($input: InviteStaffInput!) {
  inviteStaff(input: $input) {
    invitation { email role expiresAt }
    userErrors { field message code }
  }
}"""

ACCEPT_STAFF_INVITATION = """
mutation Accept($input: AcceptStaffInvitationInput!) {
  acceptStaffInvitation(input: $input) {
    user { id email name role }
    totpEnrolmentUri
    recoveryCodes
    userErrors { field message code }
  }
}"""

CHANGE_STAFF_ROLE = """
mutation ChangeRole($input: ChangeStaffRoleInput!) {
  changeStaffRole(input: $input) {
    user { id role }
    userErrors { field message code }
  }
}"""

DISABLE_STAFF = """
mutation Disable($input: DisableStaffInput!) {
  disableStaff(input: $input) {
    user { id disabledAt }
    revokedSessions
    userErrors { field message code }
  }
}"""

STAFF_ACTIVITY = """
query Activity($first: Int!, $after: String, $actorId: ID) {
  staffActivity(first: $first, after: $after, actorId: $actorId) {
    edges { node {
      id action actorId subjectId reason occurredAt correlationId
      details { name value }
      actor { id name }
      subject { id name }
    } cursor }
    pageInfo { hasNextPage endCursor }
  }
}"""

CUSTOMERS = """
query Customers($query: String!, $first: Int! = 20, $after: String) {
  customers(query: $query, first: $first, after: $after) {
    edges { node { id name email phone createdAt lastSignInAt } }
    pageInfo { hasNextPage endCursor }
  }
}"""

CUSTOMER_BY_EMAIL = """
query CustomerByEmail($email: String!) {
  customerByEmail(email: $email) { id name email }
}"""

STAFF_MEMBERS = """
query StaffMembers($first: Int! = 50, $after: String) {
  staffMembers(first: $first, after: $after) {
    edges { node { id name email role disabledAt lastSignInAt } }
    pageInfo { hasNextPage endCursor }
  }
}"""

STAFF_INVITATIONS = """
query StaffInvitations($first: Int! = 50, $after: String) {
  staffInvitations(first: $first, after: $after) {
    edges { node { email role createdAt expiresAt expired invitedBy { id name } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

# Each staff mutation with input that would pass, for checks that need only the refusal.
STAFF_MUTATIONS: Mapping[str, tuple[str, dict[str, Any]]] = {
    "inviteStaff": (INVITE_STAFF, {"input": {"email": "x@example.com", "role": "SUPPORT"}}),
    "changeStaffRole": (
        CHANGE_STAFF_ROLE,
        {"input": {"userId": "someone", "role": "SUPPORT", "reason": "why"}},
    ),
    "disableStaff": (DISABLE_STAFF, {"input": {"userId": "someone", "reason": "why"}}),
}


def totp_secret(uri: str) -> str:
    [secret] = parse_qs(urlsplit(uri).query)["secret"]
    return secret


@dataclass
class StaffMember:
    """A staff account as its owner knows it: email, password, the enrolment URI."""

    email: str
    uri: str
    password: str = PASSWORD
    recovery_codes: tuple[str, ...] = ()
    last_step: int = -1

    def seconds_to_a_fresh_code(self, now: datetime | None = None) -> float:
        """0 while the current step or the next one is unused; otherwise until the next step.

        The server takes the steps either side of its own. A past step could fall out of
        that window while the code travels (a browser types it, then the request goes), so
        a code is the current step's or the next one's, never one used before.
        """
        now = now or datetime.now(UTC)
        if self.last_step + 1 <= time_step(now) + SKEW_STEPS:
            return 0.0
        return STEP_SECONDS - now.timestamp() % STEP_SECONDS

    def next_code(self) -> str:
        """A code the server accepts when it reads it, however late, and has not seen (after
        `seconds_to_a_fresh_code`: an async caller awaits those itself, then calls this)."""
        while wait := self.seconds_to_a_fresh_code():
            time.sleep(wait)
        step = max(time_step(datetime.now(UTC)), self.last_step + 1)
        self.last_step = step
        return code_at(totp_secret(self.uri), step)


async def sign_in_staff(
    http: httpx.AsyncClient, member: StaffMember, *, path: str = "/graphql"
) -> dict[str, Any]:
    """Password, then the app's code; the `verifySecondFactor` payload (asserting it worked)."""
    variables = {"input": {"email": member.email, "password": member.password}}
    login = (await graphql(http, STAFF_LOGIN, variables, path=path))["data"]["login"]
    assert login["userErrors"] == [], login
    assert login["accessToken"] is None
    challenge = login["secondFactorChallenge"]
    await asyncio.sleep(member.seconds_to_a_fresh_code())  # never block the event loop
    answer = {"input": {"challenge": challenge, "code": member.next_code()}}
    verified: dict[str, Any] = (await graphql(http, VERIFY_SECOND_FACTOR, answer, path=path))[
        "data"
    ]["verifySecondFactor"]
    assert verified["userErrors"] == [], verified
    return verified


_URI = re.compile(r"^otpauth://\S+$", re.MULTILINE)
_RECOVERY = re.compile(r"^[A-Z2-7]{4}(?:-[A-Z2-7]{4}){3}$", re.MULTILINE)


def make_staff_command(
    email: str, role: str, env: Mapping[str, str], *, password: str = PASSWORD
) -> StaffMember:
    """`python -m subgraphs.users.staff_cli add EMAIL --role ROLE` with the password on its
    standard input, as `make staff` runs it; the member it printed."""
    done = subprocess.run(  # noqa: S603 (our own module)
        [sys.executable, "-m", "subgraphs.users.staff_cli", "add", email, "--role", role],
        input=password + "\n",
        capture_output=True,
        text=True,
        env=dict(env),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    [uri] = _URI.findall(done.stdout)
    return StaffMember(email, uri, password, tuple(_RECOVERY.findall(done.stdout)))
