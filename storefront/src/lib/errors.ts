// Errors a person understands: `userErrors` next to the field they name, GraphQL error codes and
// network failures turned into one plain sentence each. Pure functions (tested with Vitest).

export interface UserErrorLike {
  field?: readonly string[] | null;
  message: string;
  code: string;
}

export interface FormErrors {
  /** Message per input field name (the last element of the error's path, without `input`). */
  fields: Record<string, string>;
  /** Errors that name no field of the form. */
  general: string[];
}

export function formErrors(errors: readonly UserErrorLike[], known: readonly string[] = []): FormErrors {
  const result: FormErrors = { fields: {}, general: [] };
  for (const error of errors) {
    const path = (error.field ?? []).filter((part) => part !== 'input');
    const name = path[path.length - 1];
    const message = userErrorMessage(error);
    if (name && (known.length === 0 || known.includes(name)) && !(name in result.fields)) {
      result.fields[name] = message;
    } else {
      result.general.push(message);
    }
  }
  return result;
}

/** The server's message, with a clearer one for the codes a customer meets most. */
export function userErrorMessage(error: UserErrorLike): string {
  switch (error.code) {
    case 'RATE_LIMITED':
      // The users subgraph says how long to wait ("... try again in 30 seconds."): keep that.
      return /try again in \d+ seconds/.test(error.message)
        ? error.message
        : 'Too many attempts. Wait a minute, then try again.';
    case 'TEMPORARILY_UNAVAILABLE':
      return 'This is unavailable for a moment. Try again shortly.';
    default:
      return error.message;
  }
}

/** Why a card payment failed, from Payment.failureReason. */
export function failureReasonText(reason: string | null | undefined): string {
  switch (reason) {
    case 'card_declined':
      return 'Your card was declined. Choose another card and pay again.';
    case 'insufficient_funds':
      return 'The card has insufficient funds. Choose another card and pay again.';
    case 'provider_unavailable':
      return 'The payment provider did not answer. Nothing was charged; please pay again.';
    case null:
    case undefined:
    case '':
      return 'The payment failed. Please try again.';
    default:
      return `The payment failed (${reason.replaceAll('_', ' ')}). Please try again.`;
  }
}

export type Problem =
  | { kind: 'unauthenticated'; message: string }
  | { kind: 'forbidden'; message: string }
  | { kind: 'rate-limited'; message: string; retryAfterSeconds: number | null }
  | { kind: 'unavailable'; message: string }
  | { kind: 'other'; message: string };

interface GraphQLErrorLike {
  message?: string;
  extensions?: Record<string, unknown> | null;
}

/**
 * One problem from what a request ended with: GraphQL errors (by `extensions.code`), an HTTP
 * status without a GraphQL body, or a network failure (the gateway could not be reached).
 */
export function describeProblem(input: {
  graphQLErrors?: readonly GraphQLErrorLike[];
  status?: number | null;
  retryAfterHeader?: string | null;
  network?: boolean;
}): Problem {
  const errors = input.graphQLErrors ?? [];
  const codes = errors.map((error) => String(error.extensions?.code ?? ''));
  if (codes.includes('RATE_LIMITED') || input.status === 429) {
    const seconds = retryAfter(errors, input.retryAfterHeader);
    return {
      kind: 'rate-limited',
      retryAfterSeconds: seconds,
      message:
        seconds === null
          ? 'Too many requests. Please wait a moment and try again.'
          : `Too many requests. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
    };
  }
  if (codes.includes('UNAUTHENTICATED') || input.status === 401) {
    return { kind: 'unauthenticated', message: 'Please sign in to continue.' };
  }
  if (codes.includes('FORBIDDEN') || input.status === 403) {
    return { kind: 'forbidden', message: 'That belongs to another account.' };
  }
  if (input.network || (input.status !== undefined && input.status !== null && input.status >= 502)) {
    return {
      kind: 'unavailable',
      message: 'The shop cannot be reached right now. Check your connection and try again.',
    };
  }
  return { kind: 'other', message: 'Something went wrong on our side. Please try again.' };
}

function retryAfter(errors: readonly GraphQLErrorLike[], header: string | null | undefined): number | null {
  for (const error of errors) {
    const value = error.extensions?.retryAfterSeconds;
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.ceil(value);
  }
  if (header && /^\d+$/.test(header.trim())) return Number(header.trim());
  return null;
}
