"""Payments mutations: each takes an input object and returns a payload with `userErrors`.

A payment the provider declined is a result (`payment.status` FAILED with
its `failureReason`), not a user error; `userErrors` mean no payment was
attempted. Codes marked retryable may succeed when sent again unchanged.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kernel.core.access import Scope
from subgraphs.kernel.core.reasons import MAX_REASON_LENGTH
from subgraphs.kernel.graphql.authorization import requires_scope
from subgraphs.kernel.graphql.types import MutationPayload, mutation_root, payload
from subgraphs.payments.domain.payment import PaymentRequest
from subgraphs.payments.transport.context import PaymentsContext
from subgraphs.payments.transport.refund_requests import RefundRequest
from subgraphs.payments.transport.types import Payment


@strawberry.input(description="A payment attempt.")
class ProcessPaymentInput:
    order_id: strawberry.ID = strawberry.field(description="One of your orders, not paid yet.")
    payment_method_token: str = strawberry.field(
        description="Sandbox: pm_card_ok, pm_card_declined, pm_card_insufficient_funds, "
        "pm_provider_down."
    )
    idempotency_key: str = strawberry.field(
        description="Chosen by the client, unique per payment attempt; resending it with the "
        "same input returns the same payment."
    )


@strawberry.input(description="A refund made by staff.")
class RefundPaymentInput:
    payment_id: strawberry.ID = strawberry.field(description="A succeeded payment.")
    idempotency_key: str = strawberry.field(
        description="Chosen by the client, unique per refund attempt; resending it with the "
        "same input returns the same payment."
    )
    reason: str = strawberry.field(
        description=f"Why it is refunded (1 to {MAX_REASON_LENGTH} characters; on the record)."
    )
    restock: bool = strawberry.field(
        default=False,
        description="Return the order's units to stock (the catalog adds them back, reason "
        "RETURNED); false: they stay out of stock (e.g. damaged).",
    )


@strawberry.input(description="A customer's request for a refund.")
class RequestRefundInput:
    order_id: strawberry.ID = strawberry.field(description="One of your paid orders.")
    reason: str = strawberry.field(
        description=f"Why you ask (1 to {MAX_REASON_LENGTH} characters)."
    )


@strawberry.input(description="The approval of a refund request.")
class ApproveRefundRequestInput:
    request_id: strawberry.ID = strawberry.field(description="An OPEN refund request.")
    restock: bool = strawberry.field(
        default=False,
        description="Return the order's units to stock (the catalog adds them back, reason "
        "RETURNED); false: they stay out of stock.",
    )


@strawberry.input(description="The decline of a refund request.")
class DeclineRefundRequestInput:
    request_id: strawberry.ID = strawberry.field(description="An OPEN refund request.")
    reason: str = strawberry.field(
        description=f"Why it is declined (1 to {MAX_REASON_LENGTH} characters); the customer "
        "reads it."
    )


@strawberry.type(description="The result of `processPayment`.")
class ProcessPaymentPayload(MutationPayload):
    payment: Payment | None = strawberry.field(
        default=None, description="The payment, succeeded or failed; null on userErrors."
    )


@strawberry.type(description="The result of `refundPayment`.")
class RefundPaymentPayload(MutationPayload):
    payment: Payment | None = strawberry.field(
        default=None, description="The refunded payment; null on userErrors."
    )


@strawberry.type(description="The result of `requestRefund`.")
class RequestRefundPayload(MutationPayload):
    refund_request: RefundRequest | None = strawberry.field(
        default=None, description="The OPEN request; null on userErrors."
    )


@strawberry.type(description="The result of `approveRefundRequest`.")
class ApproveRefundRequestPayload(MutationPayload):
    refund_request: RefundRequest | None = strawberry.field(
        default=None, description="The APPROVED request; null on userErrors."
    )
    payment: Payment | None = strawberry.field(
        default=None, description="The refunded payment; null on userErrors."
    )


@strawberry.type(description="The result of `declineRefundRequest`.")
class DeclineRefundRequestPayload(MutationPayload):
    refund_request: RefundRequest | None = strawberry.field(
        default=None, description="The DECLINED request; null on userErrors."
    )


_DECIDED = "REFUND_REQUEST_NOT_FOUND, REFUND_REQUEST_DECIDED (decided before, or an approval is "
_DECIDED += "under way), REFUND_REQUEST_BUSY (retryable)"


@mutation_root
class Mutation:
    @strawberry.mutation(
        description="Pay one of your orders in full, once the catalog reserved its stock. "
        "userErrors codes: ORDER_NOT_FOUND_YET (retryable: the order is not known to payments "
        "yet), STOCK_NOT_RESERVED_YET (retryable: its stock is not reserved yet), "
        "PAYMENT_IN_PROGRESS (retryable), ORDER_CANCELLED, ORDER_REJECTED (out of stock), "
        "ALREADY_PAID, IDEMPOTENCY_KEY_REUSED, INVALID_IDEMPOTENCY_KEY, INVALID_PAYMENT_METHOD."
    )
    async def process_payment(
        self,
        info: Info[PaymentsContext, None],
        input: Annotated[ProcessPaymentInput, strawberry.argument(description="The attempt.")],
    ) -> ProcessPaymentPayload:
        principal = await info.context.auth.require()
        request = PaymentRequest(
            order_id=str(input.order_id),
            payment_method=input.payment_method_token,
            idempotency_key=input.idempotency_key,
        )
        return await payload(
            ProcessPaymentPayload,
            info.context.usecases.process_payment(principal.user_id, request),
            lambda payment: ProcessPaymentPayload(payment=Payment.from_model(payment)),
        )

    @strawberry.mutation(
        description="Staff: refund a succeeded payment in full, with a reason (refunds:decide). "
        "userErrors codes: PAYMENT_NOT_FOUND, PAYMENT_NOT_REFUNDABLE, ALREADY_REFUNDED, "
        "REFUND_IN_PROGRESS (retryable), PROVIDER_UNAVAILABLE (retryable), REFUND_DECLINED, "
        "IDEMPOTENCY_KEY_REUSED, INVALID_IDEMPOTENCY_KEY, REASON_REQUIRED, REASON_TOO_LONG.",
        extensions=requires_scope(Scope.REFUNDS_DECIDE),
    )
    async def refund_payment(
        self,
        info: Info[PaymentsContext, None],
        input: Annotated[RefundPaymentInput, strawberry.argument(description="The refund.")],
    ) -> RefundPaymentPayload:
        principal = await info.context.auth.require()
        refund = info.context.usecases.refund_payment
        return await payload(
            RefundPaymentPayload,
            refund(
                principal.user_id,
                str(input.payment_id),
                input.idempotency_key,
                input.reason,
                restock=input.restock,
            ),
            lambda payment: RefundPaymentPayload(payment=Payment.from_model(payment)),
        )

    @strawberry.mutation(
        description="Ask for the refund of one of your paid orders, within "
        "PAYMENTS_REFUND_REQUEST_DAYS (30) of its payment; staff decide. userErrors codes: "
        "ORDER_NOT_FOUND, PAYMENT_NOT_REFUNDABLE (not paid), ALREADY_REFUNDED, "
        "REFUND_WINDOW_CLOSED, REFUND_ALREADY_REQUESTED (one is OPEN), REASON_REQUIRED, "
        "REASON_TOO_LONG."
    )
    async def request_refund(
        self,
        info: Info[PaymentsContext, None],
        input: Annotated[RequestRefundInput, strawberry.argument(description="The request.")],
    ) -> RequestRefundPayload:
        principal = await info.context.auth.require()
        ask = info.context.usecases.request_refund
        return await payload(
            RequestRefundPayload,
            ask(principal.user_id, str(input.order_id), input.reason),
            lambda request: RequestRefundPayload(refund_request=RefundRequest.from_model(request)),
        )

    @strawberry.mutation(
        description="Staff: approve a refund request; the payment is refunded in full, once "
        f"(refunds:decide). userErrors codes: {_DECIDED}, and refundPayment's provider codes "
        "(PROVIDER_UNAVAILABLE, REFUND_DECLINED, ALREADY_REFUNDED, ...; the request stays OPEN).",
        extensions=requires_scope(Scope.REFUNDS_DECIDE),
    )
    async def approve_refund_request(
        self,
        info: Info[PaymentsContext, None],
        input: Annotated[
            ApproveRefundRequestInput, strawberry.argument(description="The approval.")
        ],
    ) -> ApproveRefundRequestPayload:
        principal = await info.context.auth.require()
        decide = info.context.usecases.decide_refund_request
        return await payload(
            ApproveRefundRequestPayload,
            decide.approve(principal.user_id, str(input.request_id), restock=input.restock),
            lambda done: ApproveRefundRequestPayload(
                refund_request=RefundRequest.from_model(done[0]),
                payment=Payment.from_model(done[1]),
            ),
        )

    @strawberry.mutation(
        description="Staff: decline a refund request with a reason; the customer gets a mail "
        f"(refunds:decide). userErrors codes: {_DECIDED}, REASON_REQUIRED, REASON_TOO_LONG.",
        extensions=requires_scope(Scope.REFUNDS_DECIDE),
    )
    async def decline_refund_request(
        self,
        info: Info[PaymentsContext, None],
        input: Annotated[
            DeclineRefundRequestInput, strawberry.argument(description="The decline.")
        ],
    ) -> DeclineRefundRequestPayload:
        principal = await info.context.auth.require()
        decide = info.context.usecases.decide_refund_request
        return await payload(
            DeclineRefundRequestPayload,
            decide.decline(principal.user_id, str(input.request_id), input.reason),
            lambda request: DeclineRefundRequestPayload(
                refund_request=RefundRequest.from_model(request)
            ),
        )
