import { graphql } from "./gql";

export const ViewerQuery = graphql(`
  query Viewer {
    viewer { id email staffRoles permissions }
    entitlements {
      plan { code name rank } accessUntil features { feature allowed requiredPlan }
      limits { ...LimitUsageFields }
    }
    plans { code name rank trialDays prices { period price { formatted } } }
  }
`);

export const PricingQuery = graphql(`
  query Pricing {
    plans {
      code name rank trialDays
      prices { period interval price { formatted amount } }
      features { code name included }
      limits { code name amount unlimited reset }
      levels { code name value }
    }
  }
`);

export const CanImportQuery = graphql(`
  query CanImport {
    canUse(feature: "github_import") {
      __typename
      ... on FeatureAccess { name allowed reason requiredPlan }
      ... on Failure { code message }
    }
  }
`);

export const StartImportMutation = graphql(`
  mutation StartImport($url: String!) {
    startGithubImport(repositoryUrl: $url) { id owner repository status }
  }
`);

export const CheckoutConfigQuery = graphql(`
  query CheckoutSetup {
    checkoutConfig { scriptUrl sandbox }
  }
`);

export const UpgradeMutation = graphql(`
  mutation Upgrade($plan: String, $period: Period!) {
    upgrade(plan: $plan, period: $period) {
      __typename
      ... on CheckoutDetails { keyId subscriptionId name description prefillEmail }
      ... on Failure { code message retryable }
    }
  }
`);

export const ConfirmCheckoutMutation = graphql(`
  mutation ConfirmCheckout($paymentId: String!, $subscriptionId: String!, $signature: String!) {
    confirmCheckout(
      razorpayPaymentId: $paymentId
      razorpaySubscriptionId: $subscriptionId
      razorpaySignature: $signature
    ) {
      __typename
      ... on Subscription { status accessUntil }
      ... on Failure { code message }
    }
  }
`);

export const BillingQuery = graphql(`
  query Billing {
    subscription {
      id status accessUntil cancelAtPeriodEnd nextChargeAt
      plan { code name prices { period price { formatted } } }
      period
      currentPeriod { start end }
    }
  }
`);

export const PaymentsQuery = graphql(`
  query Payments($first: Int!, $after: String) {
    paymentHistory(first: $first, after: $after) {
      edges {
        node {
          id status method cardLast4 createdAt failureReason
          amount { formatted amount } refunded { formatted amount }
          refunds { id status createdAt amount { formatted } }
          refundRequests { ...RefundRequestFields }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const CancelMutation = graphql(`
  mutation Cancel($atPeriodEnd: Boolean!) {
    cancelSubscription(atPeriodEnd: $atPeriodEnd) {
      __typename
      ... on Subscription { status cancelAtPeriodEnd accessUntil }
      ... on Failure { code message }
    }
  }
`);

export const RefundRequestFields = graphql(`
  fragment RefundRequestFields on RefundRequest {
    id paymentId status reason note createdAt decidedAt refundId accessRevoked failure { code message }
  }
`);

export const RequestRefundMutation = graphql(`
  mutation RequestRefund($paymentId: String!, $reason: String!) {
    requestRefund(paymentId: $paymentId, reason: $reason) {
      __typename
      ... on RefundRequest { id status }
      ... on Failure { code message }
    }
  }
`);

export const RefundQueueQuery = graphql(`
  query RefundQueue($status: RefundRequestStatus, $first: Int!, $after: String) {
    refundRequests(status: $status, first: $first, after: $after) {
      edges {
        node {
          id paymentId userId reason status createdAt decidedAt note refundId accessRevoked decidedBy failure { code message }
          paymentAmount { formatted amount }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const DecideRefundMutation = graphql(`
  mutation DecideRefund($id: ID!, $approve: Boolean!, $amount: Int, $access: RefundAccess!, $note: String) {
    decideRefundRequest(id: $id, approve: $approve, amount: $amount, access: $access, note: $note) {
      __typename
      ... on RefundRequest { id status }
      ... on RevokeIncomplete { message refund { amount { formatted } } }
      ... on Failure { code message }
    }
  }
`);

export const UserPaymentsQuery = graphql(`
  query UserPayments($userId: ID!, $first: Int!, $after: String) {
    payments(userId: $userId, first: $first, after: $after) {
      edges {
        node {
          id status method cardLast4 createdAt failureReason
          amount { formatted } refunded { formatted }
          refunds { id status createdAt requestedBy amount { formatted } }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const RecordFunnelMutation = graphql(`
  mutation RecordFunnel($event: FunnelEvent!, $plan: String, $pack: String) {
    recordFunnelEvent(event: $event, plan: $plan, pack: $pack)
  }
`);

export const LimitUsageFields = graphql(`
  fragment LimitUsageFields on LimitUsage {
    feature name kind reset limit unlimited used remaining resetsAt
  }
`);

export const RecordUsageMutation = graphql(`
  mutation RecordUsage($feature: String!, $key: String!) {
    recordUsage(feature: $feature, quantity: 1, idempotencyKey: $key) {
      __typename
      ... on LimitUsage { ...LimitUsageFields }
      ... on LimitReached { code message limit used resetsAt upgradeTo { code name period price { formatted } } }
      ... on Failure { code message retryable }
    }
  }
`);

export const PlanChangeFields = graphql(`
  fragment PlanChangeFields on PlanChange {
    id plan period fromPlan when state effectiveAt path trialEndsAt refundedPaise
    toPlan { code name }
    checkout { keyId subscriptionId name description prefillEmail }
  }
`);

export const PendingPlanChangeQuery = graphql(`
  query PendingPlanChange {
    pendingPlanChange { ...PlanChangeFields }
  }
`);

export const ChangePlanMutation = graphql(`
  mutation ChangePlan($plan: String!, $period: Period!, $when: ChangeTiming, $key: String!) {
    changePlan(plan: $plan, period: $period, when: $when, idempotencyKey: $key, trial: false) {
      __typename
      ... on PlanChange { ...PlanChangeFields }
      ... on Failure { code message }
    }
  }
`);

export const CancelScheduledChangeMutation = graphql(`
  mutation CancelScheduledChange {
    cancelScheduledChange {
      __typename
      ... on PlanChange { ...PlanChangeFields }
      ... on Failure { code message }
    }
  }
`);

export const CreditsQuery = graphql(`
  query Credits($first: Int!, $after: String) {
    creditPacks { code name }
    credits {
      balance expiringSoon
      history(first: $first, after: $after) { kind amount balanceAfter pack reason at cursor }
    }
  }
`);

export const CreditPacksQuery = graphql(`
  query CreditPacks {
    checkoutConfig { scriptUrl }
    creditPacks { code name credits validityDays price { formatted } }
  }
`);

export const BuyCreditsMutation = graphql(`
  mutation BuyCredits($pack: String!, $key: String!) {
    buyCredits(pack: $pack, idempotencyKey: $key) {
      __typename
      ... on CreditCheckout { keyId orderId amount currency name description prefillEmail }
      ... on Failure { code message retryable }
    }
  }
`);

export const ConfirmCreditPurchaseMutation = graphql(`
  mutation ConfirmCreditPurchase($orderId: String!, $paymentId: String!, $signature: String!) {
    confirmCreditPurchase(razorpayOrderId: $orderId, razorpayPaymentId: $paymentId, razorpaySignature: $signature) {
      __typename
      ... on CreditPurchaseResult { credits balance }
      ... on Failure { code message }
    }
  }
`);
