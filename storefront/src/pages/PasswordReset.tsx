import { useMutation } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { Field } from '../components/Field';
import { problemOf } from '../components/Problem';
import { graphql } from '../gql';
import { formErrors, type FormErrors } from '../lib/errors';
import { Link, useLocation } from '../lib/router';
import { PASSWORD_RULES } from './Account';

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

const EMPTY: FormErrors = { fields: {}, general: [] };

export function ForgotPasswordPage() {
  const [request, { loading }] = useMutation(RequestPasswordResetMutation, { context: { anonymous: true } });
  const [sent, setSent] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(EMPTY);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get('email'));
    setErrors(EMPTY);
    try {
      const { data } = await request({ variables: { input: { email } } });
      const problems = data?.requestPasswordReset.userErrors ?? [];
      if (problems.length) setErrors(formErrors(problems, ['email']));
      else setSent(true);
    } catch (caught) {
      setErrors({ fields: {}, general: [problemOf(caught).message] });
    }
  };

  return (
    <div className="narrow">
      <h1>Forgot your password?</h1>
      <p role="status">
        {sent ? 'If an account has this email, a link to choose a new password is on its way. It works once, for 30 minutes.' : ''}
      </p>
      {errors.general.length ? (
        <p className="error" role="alert">
          {errors.general.join(' ')}
        </p>
      ) : null}
      <form onSubmit={submit}>
        <Field label="Email" name="email" type="email" autoComplete="email" required error={errors.fields.email} />
        <button type="submit" className="primary" disabled={loading}>
          Send reset link
        </button>
      </form>
      <p>
        <Link href="/sign-in">Back to sign-in</Link>
      </p>
    </div>
  );
}

export function ResetPasswordPage() {
  const location = useLocation();
  const token = location.searchParams.get('token') ?? '';
  const [reset, { loading }] = useMutation(ResetPasswordMutation, { context: { anonymous: true } });
  const [done, setDone] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(EMPTY);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get('password'));
    setErrors(EMPTY);
    try {
      const { data } = await reset({ variables: { input: { token, newPassword: password } } });
      const problems = data?.resetPassword.userErrors ?? [];
      if (problems.length === 0) {
        setDone(true);
        return;
      }
      const mapped = formErrors(
        problems.map((p) => (p.code === 'INVALID_RESET_TOKEN' ? { ...p, field: null, message: 'This link was used already or has expired. Ask for a new one.' } : p)),
        ['newPassword'],
      );
      setErrors(mapped);
    } catch (caught) {
      setErrors({ fields: {}, general: [problemOf(caught).message] });
    }
  };

  return (
    <div className="narrow">
      <h1>Choose a new password</h1>
      <p role="status">{done ? 'Your password is changed, and every device was signed out.' : ''}</p>
      {done ? (
        <p>
          <Link href="/sign-in">Sign in with the new password</Link>
        </p>
      ) : !token ? (
        <p>
          This page needs the link from the email. <Link href="/forgot-password">Ask for a new link</Link>
        </p>
      ) : (
        <>
          {errors.general.length ? (
            <div role="alert">
              {errors.general.map((message) => (
                <p key={message} className="error">
                  {message}
                </p>
              ))}
            </div>
          ) : null}
          <form onSubmit={submit}>
            <Field
              label="New password"
              name="password"
              type="password"
              autoComplete="new-password"
              required
              minLength={8}
              hint={PASSWORD_RULES}
              error={errors.fields.newPassword}
            />
            <button type="submit" className="primary" disabled={loading}>
              Set new password
            </button>
          </form>
          <p>
            <Link href="/forgot-password">Ask for a new link</Link>
          </p>
        </>
      )}
    </div>
  );
}
