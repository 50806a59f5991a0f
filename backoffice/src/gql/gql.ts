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
    "\n  mutation AcceptStaffInvitation($input: AcceptStaffInvitationInput!) {\n    acceptStaffInvitation(input: $input) {\n      user {\n        id\n        name\n        email\n      }\n      totpEnrolmentUri\n      recoveryCodes\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.AcceptStaffInvitationDocument,
    "\n  query StaffActivity($first: Int!, $after: String, $actorId: ID) {\n    staffActivity(first: $first, after: $after, actorId: $actorId) {\n      edges {\n        node {\n          id\n          action\n          actorId\n          subjectId\n          reason\n          occurredAt\n          correlationId\n          details {\n            name\n            value\n          }\n          actor {\n            id\n            name\n          }\n          subject {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.StaffActivityDocument,
    "\n  query ActivityActors {\n    staffMembers(first: 100) {\n      edges {\n        node {\n          id\n          name\n          email\n        }\n      }\n    }\n  }\n": typeof types.ActivityActorsDocument,
    "\n  query StaffCustomers($query: String!, $first: Int!, $after: String) {\n    customers(query: $query, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          email\n          phone\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.StaffCustomersDocument,
    "\n  query StaffCustomer($id: ID!) {\n    user(id: $id) {\n      id\n      name\n      email\n      phone\n      createdAt\n      emailVerified\n    }\n  }\n": typeof types.StaffCustomerDocument,
    "\n  query StaffCustomerOrders($customerId: ID!, $first: Int!, $after: String) {\n    staffOrders(filter: { customerId: $customerId }, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          status\n          createdAt\n          total {\n            amount\n            currency\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.StaffCustomerOrdersDocument,
    "\n  mutation StaffVerifySecondFactor($input: VerifySecondFactorInput!) {\n    verifySecondFactor(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.StaffVerifySecondFactorDocument,
    "\n  mutation StaffLogin($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      secondFactorChallenge\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.StaffLoginDocument,
    "\n  query StaffMembers($first: Int!, $after: String) {\n    staffMembers(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          email\n          role\n          lastSignInAt\n          disabledAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.StaffMembersDocument,
    "\n  query StaffInvitations($first: Int!) {\n    staffInvitations(first: $first) {\n      edges {\n        node {\n          email\n          role\n          createdAt\n          expiresAt\n          expired\n          invitedBy {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n": typeof types.StaffInvitationsDocument,
    "\n  mutation InviteStaff($input: InviteStaffInput!) {\n    inviteStaff(input: $input) {\n      invitation {\n        email\n        role\n        expiresAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.InviteStaffDocument,
    "\n  mutation ChangeStaffRole($input: ChangeStaffRoleInput!) {\n    changeStaffRole(input: $input) {\n      user {\n        id\n        role\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.ChangeStaffRoleDocument,
    "\n  mutation DisableStaff($input: DisableStaffInput!) {\n    disableStaff(input: $input) {\n      user {\n        id\n        disabledAt\n      }\n      revokedSessions\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.DisableStaffDocument,
};
const documents: Documents = {
    "\n  mutation AcceptStaffInvitation($input: AcceptStaffInvitationInput!) {\n    acceptStaffInvitation(input: $input) {\n      user {\n        id\n        name\n        email\n      }\n      totpEnrolmentUri\n      recoveryCodes\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.AcceptStaffInvitationDocument,
    "\n  query StaffActivity($first: Int!, $after: String, $actorId: ID) {\n    staffActivity(first: $first, after: $after, actorId: $actorId) {\n      edges {\n        node {\n          id\n          action\n          actorId\n          subjectId\n          reason\n          occurredAt\n          correlationId\n          details {\n            name\n            value\n          }\n          actor {\n            id\n            name\n          }\n          subject {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.StaffActivityDocument,
    "\n  query ActivityActors {\n    staffMembers(first: 100) {\n      edges {\n        node {\n          id\n          name\n          email\n        }\n      }\n    }\n  }\n": types.ActivityActorsDocument,
    "\n  query StaffCustomers($query: String!, $first: Int!, $after: String) {\n    customers(query: $query, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          email\n          phone\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.StaffCustomersDocument,
    "\n  query StaffCustomer($id: ID!) {\n    user(id: $id) {\n      id\n      name\n      email\n      phone\n      createdAt\n      emailVerified\n    }\n  }\n": types.StaffCustomerDocument,
    "\n  query StaffCustomerOrders($customerId: ID!, $first: Int!, $after: String) {\n    staffOrders(filter: { customerId: $customerId }, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          status\n          createdAt\n          total {\n            amount\n            currency\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.StaffCustomerOrdersDocument,
    "\n  mutation StaffVerifySecondFactor($input: VerifySecondFactorInput!) {\n    verifySecondFactor(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.StaffVerifySecondFactorDocument,
    "\n  mutation StaffLogin($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      secondFactorChallenge\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.StaffLoginDocument,
    "\n  query StaffMembers($first: Int!, $after: String) {\n    staffMembers(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          email\n          role\n          lastSignInAt\n          disabledAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.StaffMembersDocument,
    "\n  query StaffInvitations($first: Int!) {\n    staffInvitations(first: $first) {\n      edges {\n        node {\n          email\n          role\n          createdAt\n          expiresAt\n          expired\n          invitedBy {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n": types.StaffInvitationsDocument,
    "\n  mutation InviteStaff($input: InviteStaffInput!) {\n    inviteStaff(input: $input) {\n      invitation {\n        email\n        role\n        expiresAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.InviteStaffDocument,
    "\n  mutation ChangeStaffRole($input: ChangeStaffRoleInput!) {\n    changeStaffRole(input: $input) {\n      user {\n        id\n        role\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.ChangeStaffRoleDocument,
    "\n  mutation DisableStaff($input: DisableStaffInput!) {\n    disableStaff(input: $input) {\n      user {\n        id\n        disabledAt\n      }\n      revokedSessions\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.DisableStaffDocument,
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
export function graphql(source: "\n  mutation AcceptStaffInvitation($input: AcceptStaffInvitationInput!) {\n    acceptStaffInvitation(input: $input) {\n      user {\n        id\n        name\n        email\n      }\n      totpEnrolmentUri\n      recoveryCodes\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AcceptStaffInvitation($input: AcceptStaffInvitationInput!) {\n    acceptStaffInvitation(input: $input) {\n      user {\n        id\n        name\n        email\n      }\n      totpEnrolmentUri\n      recoveryCodes\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StaffActivity($first: Int!, $after: String, $actorId: ID) {\n    staffActivity(first: $first, after: $after, actorId: $actorId) {\n      edges {\n        node {\n          id\n          action\n          actorId\n          subjectId\n          reason\n          occurredAt\n          correlationId\n          details {\n            name\n            value\n          }\n          actor {\n            id\n            name\n          }\n          subject {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query StaffActivity($first: Int!, $after: String, $actorId: ID) {\n    staffActivity(first: $first, after: $after, actorId: $actorId) {\n      edges {\n        node {\n          id\n          action\n          actorId\n          subjectId\n          reason\n          occurredAt\n          correlationId\n          details {\n            name\n            value\n          }\n          actor {\n            id\n            name\n          }\n          subject {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ActivityActors {\n    staffMembers(first: 100) {\n      edges {\n        node {\n          id\n          name\n          email\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ActivityActors {\n    staffMembers(first: 100) {\n      edges {\n        node {\n          id\n          name\n          email\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StaffCustomers($query: String!, $first: Int!, $after: String) {\n    customers(query: $query, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          email\n          phone\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query StaffCustomers($query: String!, $first: Int!, $after: String) {\n    customers(query: $query, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          email\n          phone\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StaffCustomer($id: ID!) {\n    user(id: $id) {\n      id\n      name\n      email\n      phone\n      createdAt\n      emailVerified\n    }\n  }\n"): (typeof documents)["\n  query StaffCustomer($id: ID!) {\n    user(id: $id) {\n      id\n      name\n      email\n      phone\n      createdAt\n      emailVerified\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StaffCustomerOrders($customerId: ID!, $first: Int!, $after: String) {\n    staffOrders(filter: { customerId: $customerId }, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          status\n          createdAt\n          total {\n            amount\n            currency\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query StaffCustomerOrders($customerId: ID!, $first: Int!, $after: String) {\n    staffOrders(filter: { customerId: $customerId }, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          status\n          createdAt\n          total {\n            amount\n            currency\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
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
export function graphql(source: "\n  query StaffMembers($first: Int!, $after: String) {\n    staffMembers(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          email\n          role\n          lastSignInAt\n          disabledAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query StaffMembers($first: Int!, $after: String) {\n    staffMembers(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          email\n          role\n          lastSignInAt\n          disabledAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StaffInvitations($first: Int!) {\n    staffInvitations(first: $first) {\n      edges {\n        node {\n          email\n          role\n          createdAt\n          expiresAt\n          expired\n          invitedBy {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query StaffInvitations($first: Int!) {\n    staffInvitations(first: $first) {\n      edges {\n        node {\n          email\n          role\n          createdAt\n          expiresAt\n          expired\n          invitedBy {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InviteStaff($input: InviteStaffInput!) {\n    inviteStaff(input: $input) {\n      invitation {\n        email\n        role\n        expiresAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation InviteStaff($input: InviteStaffInput!) {\n    inviteStaff(input: $input) {\n      invitation {\n        email\n        role\n        expiresAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangeStaffRole($input: ChangeStaffRoleInput!) {\n    changeStaffRole(input: $input) {\n      user {\n        id\n        role\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ChangeStaffRole($input: ChangeStaffRoleInput!) {\n    changeStaffRole(input: $input) {\n      user {\n        id\n        role\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DisableStaff($input: DisableStaffInput!) {\n    disableStaff(input: $input) {\n      user {\n        id\n        disabledAt\n      }\n      revokedSessions\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DisableStaff($input: DisableStaffInput!) {\n    disableStaff(input: $input) {\n      user {\n        id\n        disabledAt\n      }\n      revokedSessions\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;