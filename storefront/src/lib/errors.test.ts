import { describe, expect, it } from 'vitest';
import { describeProblem, failureReasonText, formErrors } from './errors';

describe('formErrors', () => {
  it('puts each userError next to the field it names', () => {
    const result = formErrors(
      [
        { field: ['input', 'email'], message: 'Enter a valid email address.', code: 'INVALID_EMAIL' },
        { field: ['input', 'password'], message: 'Password must be at least 8 characters.', code: 'PASSWORD_TOO_SHORT' },
        { field: null, message: 'Too many failed sign-ins; try again later.', code: 'RATE_LIMITED' },
      ],
      ['email', 'password'],
    );
    expect(result.fields.email).toBe('Enter a valid email address.');
    expect(result.fields.password).toBe('Password must be at least 8 characters.');
    expect(result.general).toEqual(['Too many attempts. Wait a minute, then try again.']);
  });

  it("keeps the server's wait when it names one", () => {
    const result = formErrors(
      [{ field: null, message: 'Too many attempts; try again in 30 seconds.', code: 'RATE_LIMITED' }],
      ['email'],
    );
    expect(result.general).toEqual(['Too many attempts; try again in 30 seconds.']);
  });

  it('keeps errors about fields the form does not have as general ones', () => {
    const result = formErrors([{ field: ['input', 'phone'], message: 'Bad phone.', code: 'INVALID_PHONE' }], ['name']);
    expect(result.fields).toEqual({});
    expect(result.general).toEqual(['Bad phone.']);
  });
});

describe('describeProblem', () => {
  it('says when to retry a rate-limited request', () => {
    const problem = describeProblem({
      graphQLErrors: [{ message: 'Too many requests', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 12 } }],
    });
    expect(problem).toMatchObject({ kind: 'rate-limited', retryAfterSeconds: 12 });
    expect(problem.message).toBe('Too many requests. Try again in 12 seconds.');
    expect(describeProblem({ status: 429, retryAfterHeader: '1' }).message).toBe('Too many requests. Try again in 1 second.');
  });

  it('sends the unauthenticated to sign in', () => {
    expect(describeProblem({ graphQLErrors: [{ message: 'x', extensions: { code: 'UNAUTHENTICATED' } }] }).kind).toBe('unauthenticated');
    expect(describeProblem({ status: 401 }).kind).toBe('unauthenticated');
  });

  it('calls an unreachable gateway unavailable and hides internal errors', () => {
    expect(describeProblem({ network: true }).kind).toBe('unavailable');
    expect(describeProblem({ status: 503 }).kind).toBe('unavailable');
    const internal = describeProblem({
      graphQLErrors: [{ message: 'Traceback: KeyError', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
    expect(internal.kind).toBe('other');
    expect(internal.message).not.toMatch(/Traceback/);
  });
});

describe('failureReasonText', () => {
  it('explains a declined card and invites another try', () => {
    expect(failureReasonText('card_declined')).toMatch(/declined.*pay again/);
    expect(failureReasonText('insufficient_funds')).toMatch(/insufficient funds/);
    expect(failureReasonText('provider_unavailable')).toMatch(/Nothing was charged/);
    expect(failureReasonText('something_new')).toMatch(/something new/);
  });
});
