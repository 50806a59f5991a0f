/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query StaffOrders($filter: StaffOrderFilter, $first: Int!, $after: String) {\n    staffOrders(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          createdAt\n          total {\n            amount\n            currency\n          }\n          user {\n            id\n            email\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.StaffOrdersDocument,
    "\n  mutation StaffVerifySecondFactor($input: VerifySecondFactorInput!) {\n    verifySecondFactor(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.StaffVerifySecondFactorDocument,
    "\n  mutation StaffLogin($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      secondFactorChallenge\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.StaffLoginDocument,
    "\n  mutation StaffCancelOrder($input: StaffCancelOrderInput!) {\n    staffCancelOrder(input: $input) {\n      order {\n        id\n        status\n        updatedAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.StaffCancelOrderDocument,
    "\n  mutation StaffRefundPayment($input: RefundPaymentInput!) {\n    refundPayment(input: $input) {\n      payment {\n        id\n        status\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.StaffRefundPaymentDocument,
    "\n  query StaffOrder($id: ID!) {\n    staffOrder(id: $id) {\n      id\n      status\n      createdAt\n      updatedAt\n      total {\n        amount\n        currency\n      }\n      user {\n        id\n        name\n        email\n      }\n      items {\n        sku\n        name\n        quantity\n        unitPrice {\n          amount\n          currency\n        }\n        lineTotal {\n          amount\n          currency\n        }\n      }\n      timeline {\n        status\n        at\n        actorKind\n        actor {\n          id\n          name\n        }\n        reason\n      }\n      payment {\n        id\n        status\n        failureReason\n        amount {\n          amount\n          currency\n        }\n        transactions {\n          id\n          kind\n          status\n          failureReason\n          createdAt\n          amount {\n            amount\n            currency\n          }\n        }\n      }\n      notifications {\n        id\n        kind\n        channel\n        subject\n        status\n        failureReason\n        createdAt\n        sentAt\n      }\n    }\n  }\n": typeof types.StaffOrderDocument,
};
const documents: Documents = {
    "\n  query StaffOrders($filter: StaffOrderFilter, $first: Int!, $after: String) {\n    staffOrders(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          createdAt\n          total {\n            amount\n            currency\n          }\n          user {\n            id\n            email\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.StaffOrdersDocument,
    "\n  mutation StaffVerifySecondFactor($input: VerifySecondFactorInput!) {\n    verifySecondFactor(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.StaffVerifySecondFactorDocument,
    "\n  mutation StaffLogin($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      secondFactorChallenge\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.StaffLoginDocument,
    "\n  mutation StaffCancelOrder($input: StaffCancelOrderInput!) {\n    staffCancelOrder(input: $input) {\n      order {\n        id\n        status\n        updatedAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.StaffCancelOrderDocument,
    "\n  mutation StaffRefundPayment($input: RefundPaymentInput!) {\n    refundPayment(input: $input) {\n      payment {\n        id\n        status\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.StaffRefundPaymentDocument,
    "\n  query StaffOrder($id: ID!) {\n    staffOrder(id: $id) {\n      id\n      status\n      createdAt\n      updatedAt\n      total {\n        amount\n        currency\n      }\n      user {\n        id\n        name\n        email\n      }\n      items {\n        sku\n        name\n        quantity\n        unitPrice {\n          amount\n          currency\n        }\n        lineTotal {\n          amount\n          currency\n        }\n      }\n      timeline {\n        status\n        at\n        actorKind\n        actor {\n          id\n          name\n        }\n        reason\n      }\n      payment {\n        id\n        status\n        failureReason\n        amount {\n          amount\n          currency\n        }\n        transactions {\n          id\n          kind\n          status\n          failureReason\n          createdAt\n          amount {\n            amount\n            currency\n          }\n        }\n      }\n      notifications {\n        id\n        kind\n        channel\n        subject\n        status\n        failureReason\n        createdAt\n        sentAt\n      }\n    }\n  }\n": types.StaffOrderDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StaffOrders($filter: StaffOrderFilter, $first: Int!, $after: String) {\n    staffOrders(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          createdAt\n          total {\n            amount\n            currency\n          }\n          user {\n            id\n            email\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query StaffOrders($filter: StaffOrderFilter, $first: Int!, $after: String) {\n    staffOrders(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          createdAt\n          total {\n            amount\n            currency\n          }\n          user {\n            id\n            email\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StaffVerifySecondFactor($input: VerifySecondFactorInput!) {\n    verifySecondFactor(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation StaffVerifySecondFactor($input: VerifySecondFactorInput!) {\n    verifySecondFactor(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StaffLogin($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      secondFactorChallenge\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation StaffLogin($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      secondFactorChallenge\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StaffCancelOrder($input: StaffCancelOrderInput!) {\n    staffCancelOrder(input: $input) {\n      order {\n        id\n        status\n        updatedAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation StaffCancelOrder($input: StaffCancelOrderInput!) {\n    staffCancelOrder(input: $input) {\n      order {\n        id\n        status\n        updatedAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StaffRefundPayment($input: RefundPaymentInput!) {\n    refundPayment(input: $input) {\n      payment {\n        id\n        status\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation StaffRefundPayment($input: RefundPaymentInput!) {\n    refundPayment(input: $input) {\n      payment {\n        id\n        status\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StaffOrder($id: ID!) {\n    staffOrder(id: $id) {\n      id\n      status\n      createdAt\n      updatedAt\n      total {\n        amount\n        currency\n      }\n      user {\n        id\n        name\n        email\n      }\n      items {\n        sku\n        name\n        quantity\n        unitPrice {\n          amount\n          currency\n        }\n        lineTotal {\n          amount\n          currency\n        }\n      }\n      timeline {\n        status\n        at\n        actorKind\n        actor {\n          id\n          name\n        }\n        reason\n      }\n      payment {\n        id\n        status\n        failureReason\n        amount {\n          amount\n          currency\n        }\n        transactions {\n          id\n          kind\n          status\n          failureReason\n          createdAt\n          amount {\n            amount\n            currency\n          }\n        }\n      }\n      notifications {\n        id\n        kind\n        channel\n        subject\n        status\n        failureReason\n        createdAt\n        sentAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query StaffOrder($id: ID!) {\n    staffOrder(id: $id) {\n      id\n      status\n      createdAt\n      updatedAt\n      total {\n        amount\n        currency\n      }\n      user {\n        id\n        name\n        email\n      }\n      items {\n        sku\n        name\n        quantity\n        unitPrice {\n          amount\n          currency\n        }\n        lineTotal {\n          amount\n          currency\n        }\n      }\n      timeline {\n        status\n        at\n        actorKind\n        actor {\n          id\n          name\n        }\n        reason\n      }\n      payment {\n        id\n        status\n        failureReason\n        amount {\n          amount\n          currency\n        }\n        transactions {\n          id\n          kind\n          status\n          failureReason\n          createdAt\n          amount {\n            amount\n            currency\n          }\n        }\n      }\n      notifications {\n        id\n        kind\n        channel\n        subject\n        status\n        failureReason\n        createdAt\n        sentAt\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;