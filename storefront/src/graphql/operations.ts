// Every operation the storefront sends. Each is persisted (src/gql/persisted-documents.json)
// and sent by its sha256 hash; keep them few and named.
import { graphql } from '../gql';

export const ProductsQuery = graphql(`
  query Products {
    products {
      sku
      name
      price(currency: "USD") {
        amount
        currency
      }
    }
  }
`);

export const RegisterMutation = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      accessToken
      expiresAt
      refreshToken
      refreshExpiresAt
      user {
        id
        name
        email
        phone
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      accessToken
      expiresAt
      refreshToken
      refreshExpiresAt
      user {
        id
        name
        email
        phone
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const CreateOrderMutation = graphql(`
  mutation CreateOrder($input: CreateOrderInput!) {
    createOrder(input: $input) {
      order {
        id
        status
        createdAt
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const OrderQuery = graphql(`
  query Order($id: ID!) {
    order(id: $id) {
      id
      status
      createdAt
      updatedAt
      total {
        amount
        currency
      }
      items {
        sku
        name
        quantity
        unitPrice {
          amount
          currency
        }
        lineTotal {
          amount
          currency
        }
      }
      payment {
        id
        status
        failureReason
        updatedAt
      }
    }
  }
`);

export const OrderStatusSubscription = graphql(`
  subscription OrderStatus($orderId: ID!) {
    orderStatusChanged(orderId: $orderId) {
      orderId
      status
      previousStatus
      occurredAt
    }
  }
`);

export const ProcessPaymentMutation = graphql(`
  mutation ProcessPayment($input: ProcessPaymentInput!) {
    processPayment(input: $input) {
      payment {
        id
        status
        failureReason
        updatedAt
        order {
          id
          status
          updatedAt
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const RefundPaymentMutation = graphql(`
  mutation RefundPayment($input: RefundPaymentInput!) {
    refundPayment(input: $input) {
      payment {
        id
        status
        failureReason
        updatedAt
        order {
          id
          status
          updatedAt
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const CancelOrderMutation = graphql(`
  mutation CancelOrder($input: CancelOrderInput!) {
    cancelOrder(input: $input) {
      order {
        id
        status
        updatedAt
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const OrdersQuery = graphql(`
  query Orders($first: Int!, $after: String) {
    me {
      id
      orders(first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            status
            createdAt
            total {
              amount
              currency
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const NotificationsQuery = graphql(`
  query Notifications($first: Int!, $after: String) {
    me {
      id
      notifications(first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            channel
            kind
            subject
            status
            failureReason
            createdAt
            sentAt
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const ProfileQuery = graphql(`
  query Profile {
    me {
      id
      name
      email
      phone
      notificationPreferences {
        email
        sms
        updatedAt
      }
    }
  }
`);

export const UpdateProfileMutation = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      user {
        id
        name
        phone
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const UpdatePreferencesMutation = graphql(`
  mutation UpdatePreferences($input: UpdateNotificationPreferencesInput!) {
    updateNotificationPreferences(input: $input) {
      preferences {
        email
        sms
        updatedAt
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

// Sessions (users subgraph): refresh tokens rotate on every use.
export const RefreshSessionMutation = graphql(`
  mutation RefreshSession($input: RefreshSessionInput!) {
    refreshSession(input: $input) {
      accessToken
      expiresAt
      refreshToken
      refreshExpiresAt
      user {
        id
        name
        email
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const LogoutMutation = graphql(`
  mutation Logout($input: LogoutInput!) {
    logout(input: $input) {
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const LogoutEverywhereMutation = graphql(`
  mutation LogoutEverywhere {
    logoutEverywhere {
      revokedSessions
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const ChangePasswordMutation = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const RequestPasswordResetMutation = graphql(`
  mutation RequestPasswordReset($input: RequestPasswordResetInput!) {
    requestPasswordReset(input: $input) {
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const ResetPasswordMutation = graphql(`
  mutation ResetPassword($input: ResetPasswordInput!) {
    resetPassword(input: $input) {
      userErrors {
        field
        message
        code
      }
    }
  }
`);
