import { useMutation } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { Field } from '@storefront/components/Field';
import { problemOf } from '@storefront/components/Problem';
import { formErrors, type FormErrors } from '@storefront/lib/errors';
import { graphql } from '../gql';

export const VerifySecondFactorMutation = graphql(`
  mutation StaffVerifySecondFactor($input: VerifySecondFactorInput!) {
    verifySecondFactor(input: $input) {
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

/** The tokens `verifySecondFactor` answers (as `login` does for an account without one). */
export interface SignedIn {
  accessToken: string;
  expiresAt: string;
  refreshToken?: string | null;
  refreshExpiresAt?: string | null;
  user?: { id: string; name: string; email?: string | null } | null;
}

const EMPTY: FormErrors = { fields: {}, general: [] };

/**
 * The second step of a staff sign-in: the authenticator app's six digits, or a recovery code.
 * A wrong code says how many tries are left, a locked second factor how long to wait (the
 * users subgraph's messages); a challenge that expired or was spent starts over.
 */
export function SecondFactorStep({
  challenge,
  onSignedIn,
  onStartOver,
}: {
  challenge: string;
  onSignedIn: (signedIn: SignedIn) => Promise<void>;
  onStartOver: (reason: string) => void;
}) {
  const [verify, { loading }] = useMutation(VerifySecondFactorMutation, { context: { anonymous: true } });
  const [recovery, setRecovery] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(EMPTY);
  const name = recovery ? 'recoveryCode' : 'authenticationCode';

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get(name) ?? '').trim();
    setErrors(EMPTY);
    try {
      const { data } = await verify({ variables: { input: { challenge, code } } });
      const payload = data?.verifySecondFactor;
      if (payload?.accessToken && payload.expiresAt) {
        await onSignedIn({ ...payload, accessToken: payload.accessToken, expiresAt: payload.expiresAt });
        return;
      }
      const problems = payload?.userErrors ?? [];
      const expired = problems.find((problem) => problem.code === 'INVALID_CHALLENGE');
      if (expired) {
        onStartOver(expired.message);
        return;
      }
      const found = formErrors(problems, ['code']);
      setErrors({ fields: found.fields.code ? { [name]: found.fields.code } : {}, general: found.general });
    } catch (caught) {
      setErrors({ fields: {}, general: [problemOf(caught).message] });
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-describedby="second-factor-hint">
      <p id="second-factor-hint">
        {recovery
          ? 'Enter one of the recovery codes you were given at enrolment. Each works once.'
          : 'Enter the six digits your authenticator app shows for this account.'}
      </p>
      {recovery ? (
        <Field
          key="recovery"
          label="Recovery code"
          name="recoveryCode"
          autoComplete="off"
          spellCheck={false}
          required
          autoFocus
          error={errors.fields.recoveryCode}
        />
      ) : (
        <Field
          key="totp"
          label="Authentication code"
          name="authenticationCode"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]*"
          maxLength={6}
          required
          autoFocus
          error={errors.fields.authenticationCode}
        />
      )}
      {errors.general.map((message) => (
        <p key={message} className="error" role="alert">
          {message}
        </p>
      ))}
      <p>
        <button type="submit" className="primary" disabled={loading}>
          {loading ? 'Verifying…' : 'Verify'}
        </button>
      </p>
      <p>
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setRecovery(!recovery);
            setErrors(EMPTY);
          }}
        >
          {recovery ? 'Use the authentication code instead' : 'Use a recovery code instead'}
        </button>
      </p>
    </form>
  );
}
