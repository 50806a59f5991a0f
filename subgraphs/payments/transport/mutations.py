"""Payments mutations: each takes an input object and returns a payload with `userErrors`.

A payment the provider declined is a result (`payment.status` FAILED with
its `failureReason`), not a user error; `userErrors` mean no payment was
attempted. Codes marked retryable may succeed when sent again unchanged.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kernel.graphql.types import MutationPayload, mutation_root, payload
from subgraphs.payments.domain.payment import PaymentRequest
from subgraphs.payments.transport.context import PaymentsContext
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


@strawberry.input(description="A refund request.")
class RefundPaymentInput:
    payment_id: strawberry.ID = strawberry.field(description="One of your succeeded payments.")
    idempotency_key: str = strawberry.field(
        description="Chosen by the client, unique per refund attempt; resending it with the "
        "same input returns the same payment."
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


@mutation_root
class Mutation:
    @strawberry.mutation(
        description="Pay one of your orders in full. userErrors codes: ORDER_NOT_FOUND_YET "
        "(retryable: the order is not known to payments yet), PAYMENT_IN_PROGRESS (retryable), "
        "ORDER_CANCELLED, ALREADY_PAID, IDEMPOTENCY_KEY_REUSED, INVALID_IDEMPOTENCY_KEY, "
        "INVALID_PAYMENT_METHOD."
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
        description="Refund one of your succeeded payments in full. userErrors codes: "
        "PAYMENT_NOT_FOUND, PAYMENT_NOT_REFUNDABLE, ALREADY_REFUNDED, REFUND_IN_PROGRESS "
        "(retryable), PROVIDER_UNAVAILABLE (retryable), REFUND_DECLINED, "
        "IDEMPOTENCY_KEY_REUSED, INVALID_IDEMPOTENCY_KEY."
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
            refund(principal.user_id, str(input.payment_id), input.idempotency_key),
            lambda payment: RefundPaymentPayload(payment=Payment.from_model(payment)),
        )
