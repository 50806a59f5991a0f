"""The staff use cases: the second step of a staff sign-in, staff accounts and their record,
and the customer search."""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.users.usecase.accept_staff_invitation import AcceptStaffInvitation
from subgraphs.users.usecase.change_staff_role import ChangeStaffRole
from subgraphs.users.usecase.create_staff import CreateStaff
from subgraphs.users.usecase.disable_staff import DisableStaff
from subgraphs.users.usecase.invite_staff import InviteStaff
from subgraphs.users.usecase.read_staff_activity import ReadStaffActivity
from subgraphs.users.usecase.read_staff_directory import ReadStaffDirectory
from subgraphs.users.usecase.record_staff_event import RecordStaffEvent
from subgraphs.users.usecase.search_customers import FindCustomerByEmail, SearchCustomers
from subgraphs.users.usecase.verify_second_factor import VerifySecondFactor


@dataclass(frozen=True)
class StaffUseCases:
    verify_second_factor: VerifySecondFactor
    create: CreateStaff
    invite: InviteStaff
    accept_invitation: AcceptStaffInvitation
    change_role: ChangeStaffRole
    disable: DisableStaff
    read_activity: ReadStaffActivity
    record_event: RecordStaffEvent
    directory: ReadStaffDirectory
    search_customers: SearchCustomers
    customer_by_email: FindCustomerByEmail
