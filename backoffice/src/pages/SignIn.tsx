import { useApolloClient, useMutation } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { Field } from '@storefront/components/Field';
import { problemOf } from '@storefront/components/Problem';
import { formErrors, type FormErrors } from '@storefront/lib/errors';
import { navigate, useLocation } from '@storefront/lib/router';
import { graphql } from '../gql';
import { decodeClaims, isStaff, STAFF_ONLY_MESSAGE } from '../lib/access';
import { useBackOffice, useSession } from '../lib/services';

export const StaffLoginMutation = graphql(`
  mutation StaffLogin($input: LoginInput!) {
    login(input: $input) {
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
  const refused = location.searchParams.get('refused') === 'customer';

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setErrors(EMPTY);
    try {
      const { data } = await login({
        variables: { input: { email: String(form.get('email')), password: String(form.get('password')) } },
      });
      const payload = data?.login;
      if (!payload?.accessToken || !payload.expiresAt) {
        setErrors(formErrors(payload?.userErrors ?? [], ['email', 'password']));
        return;
      }
      if (!isStaff(decodeClaims(payload.accessToken))) {
        // A customer's account: end the session it just started, keep nothing.
        if (payload.refreshToken) await session.api?.logout(payload.refreshToken).catch(() => undefined);
        navigate('/sign-in?refused=customer', { replace: true });
        return;
      }
      await client.clearStore();
      session.accept({ ...payload, accessToken: payload.accessToken, expiresAt: payload.expiresAt });
      navigate(nextPath(location), { replace: true });
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
    </div>
  );
}
