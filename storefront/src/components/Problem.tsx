import { CombinedGraphQLErrors, ServerError } from '@apollo/client';
import { describeProblem, type Problem } from '../lib/errors';
import { isUnreachable } from '../lib/apollo';

/** The Problem an Apollo error stands for. */
export function problemOf(error: unknown): Problem {
  if (CombinedGraphQLErrors.is(error)) return describeProblem({ graphQLErrors: error.errors });
  if (ServerError.is(error)) {
    let graphQLErrors;
    try {
      graphQLErrors = (JSON.parse(error.bodyText) as { errors?: [] }).errors;
    } catch {
      graphQLErrors = undefined;
    }
    return describeProblem({
      graphQLErrors,
      status: error.statusCode,
      retryAfterHeader: error.response.headers.get('retry-after'),
    });
  }
  return describeProblem({ network: isUnreachable(error) });
}

export function ProblemMessage({ error }: { error: unknown }) {
  return (
    <p className="error" role="alert">
      {problemOf(error).message}
    </p>
  );
}
