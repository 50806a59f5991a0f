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
    "\n  mutation RefreshSession($input: RefreshSessionInput!) {\n    refreshSession(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.RefreshSessionDocument,
    "\n  mutation Logout($input: LogoutInput!) {\n    logout(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.LogoutDocument,
    "\n  mutation LogoutEverywhere {\n    logoutEverywhere {\n      revokedSessions\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.LogoutEverywhereDocument,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.RegisterDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      user {\n        id\n        name\n        email\n        phone\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation CreateOrder($input: CreateOrderInput!) {\n    createOrder(input: $input) {\n      order {\n        id\n        status\n        createdAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.CreateOrderDocument,
    "\n  query Notifications($first: Int!, $after: String) {\n    me {\n      id\n      notifications(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            ...NotificationRow_notification\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.NotificationsDocument,
    "\n  fragment NotificationRow_notification on Notification {\n    id\n    channel\n    subject\n    status\n    failureReason\n    createdAt\n    sentAt\n  }\n": typeof types.NotificationRow_NotificationFragmentDoc,
    "\n  query Order($id: ID!) {\n    order(id: $id) {\n      id\n      ...LiveStatus_order\n      ...StatusTimeline_order\n      ...OrderItems_order\n      ...PaymentForm_order\n      ...OrderActions_order\n      ...RefundRequest_order\n    }\n  }\n": typeof types.OrderDocument,
    "\n  query Orders($first: Int!, $after: String) {\n    me {\n      id\n      orders(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            ...OrderRow_order\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.OrdersDocument,
    "\n  fragment OrderRow_order on Order {\n    id\n    status\n    createdAt\n    total {\n      amount\n      currency\n    }\n  }\n": typeof types.OrderRow_OrderFragmentDoc,
    "\n  mutation RequestPasswordReset($input: RequestPasswordResetInput!) {\n    requestPasswordReset(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.ResetPasswordDocument,
    "\n  query ProductDetail($sku: String!) {\n    product(sku: $sku) {\n      sku\n      name\n      description\n      status\n      available\n      price(currency: \"USD\") {\n        amount\n        currency\n      }\n    }\n  }\n": typeof types.ProductDetailDocument,
    "\n  query Products {\n    products {\n      sku\n      ...ProductCard_product\n    }\n  }\n": typeof types.ProductsDocument,
    "\n  fragment ProductCard_product on Product {\n    sku\n    name\n    available\n    price(currency: \"USD\") {\n      amount\n      currency\n    }\n  }\n": typeof types.ProductCard_ProductFragmentDoc,
    "\n  query Profile {\n    me {\n      id\n      name\n      email\n      phone\n      notificationPreferences {\n        email\n        sms\n        updatedAt\n      }\n    }\n  }\n": typeof types.ProfileDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      user {\n        id\n        name\n        phone\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.UpdateProfileDocument,
    "\n  mutation UpdatePreferences($input: UpdateNotificationPreferencesInput!) {\n    updateNotificationPreferences(input: $input) {\n      preferences {\n        email\n        sms\n        updatedAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.UpdatePreferencesDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.ChangePasswordDocument,
    "\n  query EmailVerification {\n    me {\n      id\n      email\n      emailVerified\n    }\n  }\n": typeof types.EmailVerificationDocument,
    "\n  mutation VerifyEmail($input: VerifyEmailInput!) {\n    verifyEmail(input: $input) {\n      user {\n        id\n        emailVerified\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.VerifyEmailDocument,
    "\n  mutation ResendVerificationEmail {\n    resendVerificationEmail {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.ResendVerificationEmailDocument,
    "\n  fragment OrderActions_order on Order {\n    id\n    status\n  }\n": typeof types.OrderActions_OrderFragmentDoc,
    "\n  mutation CancelOrder($input: CancelOrderInput!) {\n    cancelOrder(input: $input) {\n      order {\n        id\n        status\n        updatedAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.CancelOrderDocument,
    "\n  fragment OrderItems_order on Order {\n    total {\n      amount\n      currency\n    }\n    items {\n      sku\n      name\n      quantity\n      unitPrice {\n        amount\n        currency\n      }\n      lineTotal {\n        amount\n        currency\n      }\n    }\n  }\n": typeof types.OrderItems_OrderFragmentDoc,
    "\n  fragment PaymentForm_order on Order {\n    id\n    status\n    payment {\n      id\n      status\n      failureReason\n    }\n  }\n": typeof types.PaymentForm_OrderFragmentDoc,
    "\n  mutation ProcessPayment($input: ProcessPaymentInput!) {\n    processPayment(input: $input) {\n      payment {\n        id\n        status\n        failureReason\n        updatedAt\n        order {\n          id\n          status\n          updatedAt\n        }\n      }\n      userErrors {\n        field\n        message\n        code\n        retryable\n      }\n    }\n  }\n": typeof types.ProcessPaymentDocument,
    "\n  query TestPaymentMethods {\n    testPaymentMethods {\n      token\n      label\n    }\n  }\n": typeof types.TestPaymentMethodsDocument,
    "\n  fragment RefundRequest_order on Order {\n    id\n    status\n    payment {\n      id\n      status\n    }\n    refundRequest {\n      id\n      status\n      reason\n      requestedAt\n      decidedAt\n      decisionReason\n    }\n  }\n": typeof types.RefundRequest_OrderFragmentDoc,
    "\n  mutation RequestRefund($input: RequestRefundInput!) {\n    requestRefund(input: $input) {\n      refundRequest {\n        id\n        status\n        reason\n        requestedAt\n        decidedAt\n        decisionReason\n        order {\n          id\n          refundRequest {\n            id\n          }\n        }\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": typeof types.RequestRefundDocument,
    "\n  query OrderRefundRequest($id: ID!) {\n    order(id: $id) {\n      id\n      refundRequest {\n        id\n        status\n        decidedAt\n        decisionReason\n      }\n    }\n  }\n": typeof types.OrderRefundRequestDocument,
    "\n  fragment StatusTimeline_order on Order {\n    status\n    expiresAt\n  }\n": typeof types.StatusTimeline_OrderFragmentDoc,
    "\n  fragment LiveStatus_order on Order {\n    id\n    status\n    createdAt\n    updatedAt\n  }\n": typeof types.LiveStatus_OrderFragmentDoc,
    "\n  subscription OrderStatus($orderId: ID!, $since: DateTime) {\n    orderStatusChanged(orderId: $orderId, since: $since) {\n      orderId\n      status\n      previousStatus\n      occurredAt\n    }\n  }\n": typeof types.OrderStatusDocument,
};
const documents: Documents = {
    "\n  mutation RefreshSession($input: RefreshSessionInput!) {\n    refreshSession(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.RefreshSessionDocument,
    "\n  mutation Logout($input: LogoutInput!) {\n    logout(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.LogoutDocument,
    "\n  mutation LogoutEverywhere {\n    logoutEverywhere {\n      revokedSessions\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.LogoutEverywhereDocument,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.RegisterDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      user {\n        id\n        name\n        email\n        phone\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.LoginDocument,
    "\n  mutation CreateOrder($input: CreateOrderInput!) {\n    createOrder(input: $input) {\n      order {\n        id\n        status\n        createdAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.CreateOrderDocument,
    "\n  query Notifications($first: Int!, $after: String) {\n    me {\n      id\n      notifications(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            ...NotificationRow_notification\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.NotificationsDocument,
    "\n  fragment NotificationRow_notification on Notification {\n    id\n    channel\n    subject\n    status\n    failureReason\n    createdAt\n    sentAt\n  }\n": types.NotificationRow_NotificationFragmentDoc,
    "\n  query Order($id: ID!) {\n    order(id: $id) {\n      id\n      ...LiveStatus_order\n      ...StatusTimeline_order\n      ...OrderItems_order\n      ...PaymentForm_order\n      ...OrderActions_order\n      ...RefundRequest_order\n    }\n  }\n": types.OrderDocument,
    "\n  query Orders($first: Int!, $after: String) {\n    me {\n      id\n      orders(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            ...OrderRow_order\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.OrdersDocument,
    "\n  fragment OrderRow_order on Order {\n    id\n    status\n    createdAt\n    total {\n      amount\n      currency\n    }\n  }\n": types.OrderRow_OrderFragmentDoc,
    "\n  mutation RequestPasswordReset($input: RequestPasswordResetInput!) {\n    requestPasswordReset(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.ResetPasswordDocument,
    "\n  query ProductDetail($sku: String!) {\n    product(sku: $sku) {\n      sku\n      name\n      description\n      status\n      available\n      price(currency: \"USD\") {\n        amount\n        currency\n      }\n    }\n  }\n": types.ProductDetailDocument,
    "\n  query Products {\n    products {\n      sku\n      ...ProductCard_product\n    }\n  }\n": types.ProductsDocument,
    "\n  fragment ProductCard_product on Product {\n    sku\n    name\n    available\n    price(currency: \"USD\") {\n      amount\n      currency\n    }\n  }\n": types.ProductCard_ProductFragmentDoc,
    "\n  query Profile {\n    me {\n      id\n      name\n      email\n      phone\n      notificationPreferences {\n        email\n        sms\n        updatedAt\n      }\n    }\n  }\n": types.ProfileDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      user {\n        id\n        name\n        phone\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.UpdateProfileDocument,
    "\n  mutation UpdatePreferences($input: UpdateNotificationPreferencesInput!) {\n    updateNotificationPreferences(input: $input) {\n      preferences {\n        email\n        sms\n        updatedAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.UpdatePreferencesDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.ChangePasswordDocument,
    "\n  query EmailVerification {\n    me {\n      id\n      email\n      emailVerified\n    }\n  }\n": types.EmailVerificationDocument,
    "\n  mutation VerifyEmail($input: VerifyEmailInput!) {\n    verifyEmail(input: $input) {\n      user {\n        id\n        emailVerified\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.VerifyEmailDocument,
    "\n  mutation ResendVerificationEmail {\n    resendVerificationEmail {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.ResendVerificationEmailDocument,
    "\n  fragment OrderActions_order on Order {\n    id\n    status\n  }\n": types.OrderActions_OrderFragmentDoc,
    "\n  mutation CancelOrder($input: CancelOrderInput!) {\n    cancelOrder(input: $input) {\n      order {\n        id\n        status\n        updatedAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.CancelOrderDocument,
    "\n  fragment OrderItems_order on Order {\n    total {\n      amount\n      currency\n    }\n    items {\n      sku\n      name\n      quantity\n      unitPrice {\n        amount\n        currency\n      }\n      lineTotal {\n        amount\n        currency\n      }\n    }\n  }\n": types.OrderItems_OrderFragmentDoc,
    "\n  fragment PaymentForm_order on Order {\n    id\n    status\n    payment {\n      id\n      status\n      failureReason\n    }\n  }\n": types.PaymentForm_OrderFragmentDoc,
    "\n  mutation ProcessPayment($input: ProcessPaymentInput!) {\n    processPayment(input: $input) {\n      payment {\n        id\n        status\n        failureReason\n        updatedAt\n        order {\n          id\n          status\n          updatedAt\n        }\n      }\n      userErrors {\n        field\n        message\n        code\n        retryable\n      }\n    }\n  }\n": types.ProcessPaymentDocument,
    "\n  query TestPaymentMethods {\n    testPaymentMethods {\n      token\n      label\n    }\n  }\n": types.TestPaymentMethodsDocument,
    "\n  fragment RefundRequest_order on Order {\n    id\n    status\n    payment {\n      id\n      status\n    }\n    refundRequest {\n      id\n      status\n      reason\n      requestedAt\n      decidedAt\n      decisionReason\n    }\n  }\n": types.RefundRequest_OrderFragmentDoc,
    "\n  mutation RequestRefund($input: RequestRefundInput!) {\n    requestRefund(input: $input) {\n      refundRequest {\n        id\n        status\n        reason\n        requestedAt\n        decidedAt\n        decisionReason\n        order {\n          id\n          refundRequest {\n            id\n          }\n        }\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": types.RequestRefundDocument,
    "\n  query OrderRefundRequest($id: ID!) {\n    order(id: $id) {\n      id\n      refundRequest {\n        id\n        status\n        decidedAt\n        decisionReason\n      }\n    }\n  }\n": types.OrderRefundRequestDocument,
    "\n  fragment StatusTimeline_order on Order {\n    status\n    expiresAt\n  }\n": types.StatusTimeline_OrderFragmentDoc,
    "\n  fragment LiveStatus_order on Order {\n    id\n    status\n    createdAt\n    updatedAt\n  }\n": types.LiveStatus_OrderFragmentDoc,
    "\n  subscription OrderStatus($orderId: ID!, $since: DateTime) {\n    orderStatusChanged(orderId: $orderId, since: $since) {\n      orderId\n      status\n      previousStatus\n      occurredAt\n    }\n  }\n": types.OrderStatusDocument,
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
export function graphql(source: "\n  mutation RefreshSession($input: RefreshSessionInput!) {\n    refreshSession(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RefreshSession($input: RefreshSessionInput!) {\n    refreshSession(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      user {\n        id\n        name\n        email\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout($input: LogoutInput!) {\n    logout(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation Logout($input: LogoutInput!) {\n    logout(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogoutEverywhere {\n    logoutEverywhere {\n      revokedSessions\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation LogoutEverywhere {\n    logoutEverywhere {\n      revokedSessions\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      user {\n        id\n        name\n        email\n        phone\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      expiresAt\n      refreshToken\n      refreshExpiresAt\n      user {\n        id\n        name\n        email\n        phone\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateOrder($input: CreateOrderInput!) {\n    createOrder(input: $input) {\n      order {\n        id\n        status\n        createdAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateOrder($input: CreateOrderInput!) {\n    createOrder(input: $input) {\n      order {\n        id\n        status\n        createdAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Notifications($first: Int!, $after: String) {\n    me {\n      id\n      notifications(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            ...NotificationRow_notification\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Notifications($first: Int!, $after: String) {\n    me {\n      id\n      notifications(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            ...NotificationRow_notification\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment NotificationRow_notification on Notification {\n    id\n    channel\n    subject\n    status\n    failureReason\n    createdAt\n    sentAt\n  }\n"): (typeof documents)["\n  fragment NotificationRow_notification on Notification {\n    id\n    channel\n    subject\n    status\n    failureReason\n    createdAt\n    sentAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Order($id: ID!) {\n    order(id: $id) {\n      id\n      ...LiveStatus_order\n      ...StatusTimeline_order\n      ...OrderItems_order\n      ...PaymentForm_order\n      ...OrderActions_order\n      ...RefundRequest_order\n    }\n  }\n"): (typeof documents)["\n  query Order($id: ID!) {\n    order(id: $id) {\n      id\n      ...LiveStatus_order\n      ...StatusTimeline_order\n      ...OrderItems_order\n      ...PaymentForm_order\n      ...OrderActions_order\n      ...RefundRequest_order\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Orders($first: Int!, $after: String) {\n    me {\n      id\n      orders(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            ...OrderRow_order\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Orders($first: Int!, $after: String) {\n    me {\n      id\n      orders(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            ...OrderRow_order\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OrderRow_order on Order {\n    id\n    status\n    createdAt\n    total {\n      amount\n      currency\n    }\n  }\n"): (typeof documents)["\n  fragment OrderRow_order on Order {\n    id\n    status\n    createdAt\n    total {\n      amount\n      currency\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestPasswordReset($input: RequestPasswordResetInput!) {\n    requestPasswordReset(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RequestPasswordReset($input: RequestPasswordResetInput!) {\n    requestPasswordReset(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProductDetail($sku: String!) {\n    product(sku: $sku) {\n      sku\n      name\n      description\n      status\n      available\n      price(currency: \"USD\") {\n        amount\n        currency\n      }\n    }\n  }\n"): (typeof documents)["\n  query ProductDetail($sku: String!) {\n    product(sku: $sku) {\n      sku\n      name\n      description\n      status\n      available\n      price(currency: \"USD\") {\n        amount\n        currency\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Products {\n    products {\n      sku\n      ...ProductCard_product\n    }\n  }\n"): (typeof documents)["\n  query Products {\n    products {\n      sku\n      ...ProductCard_product\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ProductCard_product on Product {\n    sku\n    name\n    available\n    price(currency: \"USD\") {\n      amount\n      currency\n    }\n  }\n"): (typeof documents)["\n  fragment ProductCard_product on Product {\n    sku\n    name\n    available\n    price(currency: \"USD\") {\n      amount\n      currency\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Profile {\n    me {\n      id\n      name\n      email\n      phone\n      notificationPreferences {\n        email\n        sms\n        updatedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query Profile {\n    me {\n      id\n      name\n      email\n      phone\n      notificationPreferences {\n        email\n        sms\n        updatedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      user {\n        id\n        name\n        phone\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      user {\n        id\n        name\n        phone\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdatePreferences($input: UpdateNotificationPreferencesInput!) {\n    updateNotificationPreferences(input: $input) {\n      preferences {\n        email\n        sms\n        updatedAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdatePreferences($input: UpdateNotificationPreferencesInput!) {\n    updateNotificationPreferences(input: $input) {\n      preferences {\n        email\n        sms\n        updatedAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EmailVerification {\n    me {\n      id\n      email\n      emailVerified\n    }\n  }\n"): (typeof documents)["\n  query EmailVerification {\n    me {\n      id\n      email\n      emailVerified\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyEmail($input: VerifyEmailInput!) {\n    verifyEmail(input: $input) {\n      user {\n        id\n        emailVerified\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation VerifyEmail($input: VerifyEmailInput!) {\n    verifyEmail(input: $input) {\n      user {\n        id\n        emailVerified\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResendVerificationEmail {\n    resendVerificationEmail {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ResendVerificationEmail {\n    resendVerificationEmail {\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OrderActions_order on Order {\n    id\n    status\n  }\n"): (typeof documents)["\n  fragment OrderActions_order on Order {\n    id\n    status\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelOrder($input: CancelOrderInput!) {\n    cancelOrder(input: $input) {\n      order {\n        id\n        status\n        updatedAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CancelOrder($input: CancelOrderInput!) {\n    cancelOrder(input: $input) {\n      order {\n        id\n        status\n        updatedAt\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OrderItems_order on Order {\n    total {\n      amount\n      currency\n    }\n    items {\n      sku\n      name\n      quantity\n      unitPrice {\n        amount\n        currency\n      }\n      lineTotal {\n        amount\n        currency\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment OrderItems_order on Order {\n    total {\n      amount\n      currency\n    }\n    items {\n      sku\n      name\n      quantity\n      unitPrice {\n        amount\n        currency\n      }\n      lineTotal {\n        amount\n        currency\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PaymentForm_order on Order {\n    id\n    status\n    payment {\n      id\n      status\n      failureReason\n    }\n  }\n"): (typeof documents)["\n  fragment PaymentForm_order on Order {\n    id\n    status\n    payment {\n      id\n      status\n      failureReason\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ProcessPayment($input: ProcessPaymentInput!) {\n    processPayment(input: $input) {\n      payment {\n        id\n        status\n        failureReason\n        updatedAt\n        order {\n          id\n          status\n          updatedAt\n        }\n      }\n      userErrors {\n        field\n        message\n        code\n        retryable\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ProcessPayment($input: ProcessPaymentInput!) {\n    processPayment(input: $input) {\n      payment {\n        id\n        status\n        failureReason\n        updatedAt\n        order {\n          id\n          status\n          updatedAt\n        }\n      }\n      userErrors {\n        field\n        message\n        code\n        retryable\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TestPaymentMethods {\n    testPaymentMethods {\n      token\n      label\n    }\n  }\n"): (typeof documents)["\n  query TestPaymentMethods {\n    testPaymentMethods {\n      token\n      label\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RefundRequest_order on Order {\n    id\n    status\n    payment {\n      id\n      status\n    }\n    refundRequest {\n      id\n      status\n      reason\n      requestedAt\n      decidedAt\n      decisionReason\n    }\n  }\n"): (typeof documents)["\n  fragment RefundRequest_order on Order {\n    id\n    status\n    payment {\n      id\n      status\n    }\n    refundRequest {\n      id\n      status\n      reason\n      requestedAt\n      decidedAt\n      decisionReason\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestRefund($input: RequestRefundInput!) {\n    requestRefund(input: $input) {\n      refundRequest {\n        id\n        status\n        reason\n        requestedAt\n        decidedAt\n        decisionReason\n        order {\n          id\n          refundRequest {\n            id\n          }\n        }\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RequestRefund($input: RequestRefundInput!) {\n    requestRefund(input: $input) {\n      refundRequest {\n        id\n        status\n        reason\n        requestedAt\n        decidedAt\n        decisionReason\n        order {\n          id\n          refundRequest {\n            id\n          }\n        }\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrderRefundRequest($id: ID!) {\n    order(id: $id) {\n      id\n      refundRequest {\n        id\n        status\n        decidedAt\n        decisionReason\n      }\n    }\n  }\n"): (typeof documents)["\n  query OrderRefundRequest($id: ID!) {\n    order(id: $id) {\n      id\n      refundRequest {\n        id\n        status\n        decidedAt\n        decisionReason\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment StatusTimeline_order on Order {\n    status\n    expiresAt\n  }\n"): (typeof documents)["\n  fragment StatusTimeline_order on Order {\n    status\n    expiresAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LiveStatus_order on Order {\n    id\n    status\n    createdAt\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment LiveStatus_order on Order {\n    id\n    status\n    createdAt\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OrderStatus($orderId: ID!, $since: DateTime) {\n    orderStatusChanged(orderId: $orderId, since: $since) {\n      orderId\n      status\n      previousStatus\n      occurredAt\n    }\n  }\n"): (typeof documents)["\n  subscription OrderStatus($orderId: ID!, $since: DateTime) {\n    orderStatusChanged(orderId: $orderId, since: $since) {\n      orderId\n      status\n      previousStatus\n      occurredAt\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;