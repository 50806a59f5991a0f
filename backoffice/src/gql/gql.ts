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
    "\n  query RefundQueue($first: Int!, $after: String) {\n    refundRequests(status: OPEN, oldestFirst: true, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          ...RefundQueueRow_request\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.RefundQueueDocument,
    "\n  fragment RefundQueueRow_request on RefundRequest {\n    id\n    status\n    reason\n    requestedAt\n    order {\n      id\n      user {\n        id\n        name\n        email\n      }\n    }\n    payment {\n      id\n      amount {\n        amount\n        currency\n      }\n    }\n  }\n": typeof types.RefundQueueRow_RequestFragmentDoc,
    "\n  mutation ApproveRefundRequest($input: ApproveRefundRequestInput!) {\n    approveRefundRequest(input: $input) {\n      refundRequest {\n        id\n        status\n        decidedAt\n      }\n      payment {\n        id\n        status\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.ApproveRefundRequestDocument,
    "\n  mutation DeclineRefundRequest($input: DeclineRefundRequestInput!) {\n    declineRefundRequest(input: $input) {\n      refundRequest {\n        id\n        status\n        decidedAt\n        decisionReason\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.DeclineRefundRequestDocument,
    "\n  mutation StaffVerifySecondFactor($input: VerifySecondFactorInput!) {\n    verifySecondFactor(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.StaffVerifySecondFactorDocument,
    "\n  mutation StaffLogin($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      secondFactorChallenge\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.StaffLoginDocument,
};
const documents: Documents = {
    "\n  query RefundQueue($first: Int!, $after: String) {\n    refundRequests(status: OPEN, oldestFirst: true, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          ...RefundQueueRow_request\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.RefundQueueDocument,
    "\n  fragment RefundQueueRow_request on RefundRequest {\n    id\n    status\n    reason\n    requestedAt\n    order {\n      id\n      user {\n        id\n        name\n        email\n      }\n    }\n    payment {\n      id\n      amount {\n        amount\n        currency\n      }\n    }\n  }\n": types.RefundQueueRow_RequestFragmentDoc,
    "\n  mutation ApproveRefundRequest($input: ApproveRefundRequestInput!) {\n    approveRefundRequest(input: $input) {\n      refundRequest {\n        id\n        status\n        decidedAt\n      }\n      payment {\n        id\n        status\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.ApproveRefundRequestDocument,
    "\n  mutation DeclineRefundRequest($input: DeclineRefundRequestInput!) {\n    declineRefundRequest(input: $input) {\n      refundRequest {\n        id\n        status\n        decidedAt\n        decisionReason\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.DeclineRefundRequestDocument,
    "\n  mutation StaffVerifySecondFactor($input: VerifySecondFactorInput!) {\n    verifySecondFactor(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.StaffVerifySecondFactorDocument,
    "\n  mutation StaffLogin($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      secondFactorChallenge\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.StaffLoginDocument,
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
export function graphql(source: "\n  query RefundQueue($first: Int!, $after: String) {\n    refundRequests(status: OPEN, oldestFirst: true, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          ...RefundQueueRow_request\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query RefundQueue($first: Int!, $after: String) {\n    refundRequests(status: OPEN, oldestFirst: true, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          ...RefundQueueRow_request\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RefundQueueRow_request on RefundRequest {\n    id\n    status\n    reason\n    requestedAt\n    order {\n      id\n      user {\n        id\n        name\n        email\n      }\n    }\n    payment {\n      id\n      amount {\n        amount\n        currency\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment RefundQueueRow_request on RefundRequest {\n    id\n    status\n    reason\n    requestedAt\n    order {\n      id\n      user {\n        id\n        name\n        email\n      }\n    }\n    payment {\n      id\n      amount {\n        amount\n        currency\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ApproveRefundRequest($input: ApproveRefundRequestInput!) {\n    approveRefundRequest(input: $input) {\n      refundRequest {\n        id\n        status\n        decidedAt\n      }\n      payment {\n        id\n        status\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ApproveRefundRequest($input: ApproveRefundRequestInput!) {\n    approveRefundRequest(input: $input) {\n      refundRequest {\n        id\n        status\n        decidedAt\n      }\n      payment {\n        id\n        status\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeclineRefundRequest($input: DeclineRefundRequestInput!) {\n    declineRefundRequest(input: $input) {\n      refundRequest {\n        id\n        status\n        decidedAt\n        decisionReason\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DeclineRefundRequest($input: DeclineRefundRequestInput!) {\n    declineRefundRequest(input: $input) {\n      refundRequest {\n        id\n        status\n        decidedAt\n        decisionReason\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StaffVerifySecondFactor($input: VerifySecondFactorInput!) {\n    verifySecondFactor(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation StaffVerifySecondFactor($input: VerifySecondFactorInput!) {\n    verifySecondFactor(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StaffLogin($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      secondFactorChallenge\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation StaffLogin($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      secondFactorChallenge\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;