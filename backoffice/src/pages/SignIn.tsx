import { useApolloClient, useMutation } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { Field } from '@storefront/components/Field';
import { problemOf } from '@storefront/components/Problem';
import { formErrors, type FormErrors } from '@storefront/lib/errors';
import { navigate, useLocation } from '@storefront/lib/router';
import { graphql } from '../gql';
import { decodeClaims, isStaff, STAFF_ONLY_MESSAGE } from '../lib/access';
import { useBackOffice, useSession } from '../lib/services';
import { SecondFactorStep, type SignedIn } from './SecondFactor';

export const StaffLoginMutation = graphql(`
  mutation StaffLogin($input: LoginInput!) {
    login(input: $input) {
      accessToken
      expiresAt
      refreshToken
      refreshExpiresAt
      secondFactorChallenge
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

const EMPTY: FormErrors = { fields: {}, general: [] };

/** Only paths of this site after sign-in (`?next=/...`), never another origin. */
function nextPath(location: URL): string {
  const next = location.searchParams.get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function SignInPage() {
  const { session } = useBackOffice();
  const { endedBecause } = useSession();
  const client = useApolloClient();
  const location = useLocation();
  const [login, { loading }] = useMutation(StaffLoginMutation, { context: { anonymous: true } });
  const [errors, setErrors] = useState<FormErrors>(EMPTY);
  const [challenge, setChallenge] = useState<string | null>(null);
  const [startedOver, setStartedOver] = useState<string | null>(null);
  const refused = location.searchParams.get('refused') === 'customer';

  /** Tokens from `login` (no second factor) or `verifySecondFactor`: staff only. */
  const signedIn = async (grant: SignedIn) => {
    if (!isStaff(decodeClaims(grant.accessToken))) {
      // A customer's account: end the session it just started, keep nothing.
      if (grant.refreshToken) await session.api?.logout(grant.refreshToken).catch(() => undefined);
      setChallenge(null);
      navigate('/sign-in?refused=customer', { replace: true });
      return;
    }
    await client.clearStore();
    session.accept(grant);
    navigate(nextPath(location), { replace: true });
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setErrors(EMPTY);
    setStartedOver(null);
    try {
      const { data } = await login({
        variables: { input: { email: String(form.get('email')), password: String(form.get('password')) } },
      });
      const payload = data?.login;
      if (payload?.secondFactorChallenge) {
        setChallenge(payload.secondFactorChallenge);
      } else if (payload?.accessToken && payload.expiresAt) {
        await signedIn({ ...payload, accessToken: payload.accessToken, expiresAt: payload.expiresAt });
      } else {
        setErrors(formErrors(payload?.userErrors ?? [], ['email', 'password']));
      }
    } catch (caught) {
      setErrors({ fields: {}, general: [problemOf(caught).message] });
    }
  };

  return (
    <div className="narrow">
      <h1>Sign in</h1>
      {refused ? (
        <p className="error" role="alert">
          {STAFF_ONLY_MESSAGE}
        </p>
      ) : null}
      {!refused && endedBecause && endedBecause !== 'signed-out-elsewhere' ? (
        <p className="notice" role="status">
          Your session ended. Please sign in again.
        </p>
      ) : null}
      {startedOver ? (
        <p className="error" role="alert">
          {startedOver} Sign in again.
        </p>
      ) : null}
      {challenge ? (
        <SecondFactorStep
          challenge={challenge}
          onSignedIn={signedIn}
          onStartOver={(reason) => {
            setChallenge(null);
            setStartedOver(reason);
          }}
        />
      ) : (
        <form onSubmit={submit} noValidate>
          <Field label="Email" name="email" type="email" autoComplete="username" required error={errors.fields.email} />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            error={errors.fields.password}
          />
          {errors.general.map((message) => (
            <p key={message} className="error" role="alert">
              {message}
            </p>
          ))}
          <button type="submit" className="primary" disabled={loading}>
            {loading ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      )}
    </div>
  );
}
