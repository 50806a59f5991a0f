import { useApolloClient, useMutation } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { Field } from '../components/Field';
import { problemOf } from '../components/Problem';
import { graphql } from '../gql';
import { formErrors, type FormErrors } from '../lib/errors';
import { Link, navigate, useLocation } from '../lib/router';
import { useSession, useShop } from '../lib/shop';

// Registering never signs in (its answer is the same whether the email had an account): the
// sign-up page signs in with `login` next.
export const RegisterMutation = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
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

export const PASSWORD_RULES = 'At least 8 characters. A passphrase of a few words is best.';

const ENDED: Record<string, string> = {
  SESSION_EXPIRED: 'Your session expired. Please sign in again.',
  SESSION_REVOKED: 'You were signed out (from another device, or your password changed). Please sign in again.',
  INVALID_REFRESH_TOKEN: 'Please sign in again.',
  expired: 'Your session expired. Please sign in again.',
  'signed-out-elsewhere': 'You signed out in another tab.',
};

/** Only a path of this shop: never send the customer to another site after signing in. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

const EMPTY: FormErrors = { fields: {}, general: [] };

function FormProblems({ errors }: { errors: FormErrors }) {
  const count = Object.keys(errors.fields).length + errors.general.length;
  return (
    <div role="alert" className={count ? 'form-errors' : undefined}>
      {errors.general.map((message) => (
        <p key={message} className="error">
          {message}
        </p>
      ))}
      {count && !errors.general.length ? <p className="error">Please correct the fields below.</p> : null}
    </div>
  );
}

export function SignInPage() {
  const location = useLocation();
  const next = safeNext(location.searchParams.get('next'));
  const { session } = useShop();
  const { endedBecause } = useSession();
  const client = useApolloClient();
  const [login, { loading }] = useMutation(LoginMutation, { context: { anonymous: true } });
  const [errors, setErrors] = useState<FormErrors>(EMPTY);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setErrors(EMPTY);
    try {
      const { data } = await login({
        variables: { input: { email: String(form.get('email')), password: String(form.get('password')) } },
      });
      const payload = data?.login;
      if (payload?.accessToken && payload.expiresAt) {
        await client.clearStore();
        session.accept({ ...payload, accessToken: payload.accessToken, expiresAt: payload.expiresAt });
        navigate(next, { replace: true });
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
      {endedBecause && ENDED[endedBecause] ? <p className="notice">{ENDED[endedBecause]}</p> : null}
      <form onSubmit={submit} noValidate={false}>
        <FormProblems errors={errors} />
        <Field label="Email" name="email" type="email" autoComplete="email" required error={errors.fields.email} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          error={errors.fields.password}
        />
        <button type="submit" className="primary" disabled={loading}>
          Sign in
        </button>
      </form>
      <p>
        <Link href="/forgot-password">Forgot your password?</Link>
      </p>
      <p>
        New here? <Link href={`/create-account${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`}>Create an account</Link>
      </p>
    </div>
  );
}

export function SignUpPage() {
  const location = useLocation();
  const next = safeNext(location.searchParams.get('next'));
  const { session } = useShop();
  const client = useApolloClient();
  const [register, { loading: registering }] = useMutation(RegisterMutation, {
    context: { anonymous: true },
  });
  const [login, { loading: signingIn }] = useMutation(LoginMutation, { context: { anonymous: true } });
  const loading = registering || signingIn;
  const [errors, setErrors] = useState<FormErrors>(EMPTY);
  const [mailed, setMailed] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setErrors(EMPTY);
    setMailed(false);
    const email = String(form.get('email'));
    const password = String(form.get('password'));
    try {
      const { data } = await register({
        variables: { input: { name: String(form.get('name')), email, password } },
      });
      const problems = data?.register.userErrors ?? [];
      if (problems.length > 0) {
        setErrors(formErrors(problems, ['name', 'email', 'password']));
        return;
      }
      const signedIn = (await login({ variables: { input: { email, password } } })).data?.login;
      if (signedIn?.accessToken && signedIn.expiresAt) {
        await client.clearStore();
        session.accept({ ...signedIn, accessToken: signedIn.accessToken, expiresAt: signedIn.expiresAt });
        navigate(next, { replace: true });
      } else {
        // The address had an account already (its owner was mailed), with another password:
        // told alike, whoever asks.
        setMailed(true);
      }
    } catch (caught) {
      setErrors({ fields: {}, general: [problemOf(caught).message] });
    }
  };

  return (
    <div className="narrow">
      <h1>Create account</h1>
      {mailed && (
        <p className="notice" role="status">
          We sent a mail to that address. If it already has an account,{' '}
          <Link href="/sign-in">sign in</Link> or <Link href="/forgot-password">reset your password</Link>.
        </p>
      )}
      <form onSubmit={submit}>
        <FormProblems errors={errors} />
        <Field label="Name" name="name" autoComplete="name" required error={errors.fields.name} />
        <Field label="Email" name="email" type="email" autoComplete="email" required error={errors.fields.email} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          hint={PASSWORD_RULES}
          error={errors.fields.password}
        />
        <button type="submit" className="primary" disabled={loading}>
          Create account
        </button>
      </form>
      <p>
        Already have an account? <Link href={`/sign-in${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`}>Use your account</Link>
      </p>
    </div>
  );
}
