import { useMutation } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { Field } from '@storefront/components/Field';
import { problemOf } from '@storefront/components/Problem';
import { formErrors, type FormErrors } from '@storefront/lib/errors';
import { Link, useLocation } from '@storefront/lib/router';
import { graphql } from '../gql';
import { useSubmitGuard } from '../lib/guard';

const EMPTY: FormErrors = { fields: {}, general: [] };

export const AcceptStaffInvitationMutation = graphql(`
  mutation AcceptStaffInvitation($input: AcceptStaffInvitationInput!) {
    acceptStaffInvitation(input: $input) {
      user {
        id
        name
        email
      }
      totpEnrolmentUri
      recoveryCodes
      userErrors {
        field
        message
        code
      }
    }
  }
`);

interface Enrolment {
  email: string | null;
  uri: string;
  recoveryCodes: readonly string[];
}

/** Shown once: the authenticator app's URI and the recovery codes, then on to sign in. */
function Enrolled({ enrolment }: { enrolment: Enrolment }) {
  return (
    <>
      <h1>Your account is ready</h1>
      <p role="status">
        Add this key to your authenticator app; its codes are asked at every sign-in. It is shown only now.
      </p>
      <p>
        <code className="secret" data-testid="totp-uri">
          {enrolment.uri}
        </code>
      </p>
      <h2>Recovery codes</h2>
      <p>Each works once instead of an app code. Keep them somewhere safe.</p>
      <ul className="recovery-codes">
        {enrolment.recoveryCodes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <p>
        <Link href="/sign-in" className="button primary">
          Go to sign in
        </Link>
      </p>
    </>
  );
}

/** /accept-invitation?token=...: the link of the invitation mail (`USERS_STAFF_INVITATION_URL`). */
export function AcceptInvitationPage() {
  const location = useLocation();
  const token = location.searchParams.get('token') ?? '';
  const [accept, { loading }] = useMutation(AcceptStaffInvitationMutation, { context: { anonymous: true } });
  const [errors, setErrors] = useState<FormErrors>(EMPTY);
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const guard = useSubmitGuard(); // one acceptance, however fast the clicks
  if (enrolment) return <Enrolled enrolment={enrolment} />;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void guard.run(async () => {
      setErrors(EMPTY);
      try {
        const { data } = await accept({
          variables: { input: { token, name: String(form.get('name')), password: String(form.get('password')) } },
        });
        const payload = data?.acceptStaffInvitation;
        if (payload?.totpEnrolmentUri && payload.recoveryCodes) {
          setEnrolment({
            email: payload.user?.email ?? null,
            uri: payload.totpEnrolmentUri,
            recoveryCodes: payload.recoveryCodes,
          });
        } else {
          setErrors(formErrors(payload?.userErrors ?? [], ['name', 'password']));
        }
      } catch (caught) {
        setErrors({ fields: {}, general: [problemOf(caught).message] });
      }
    });
  };

  return (
    <div className="narrow">
      <h1>Join the back office</h1>
      {!token ? (
        <p className="error" role="alert">
          This link is incomplete. Open the link of your invitation mail again.
        </p>
      ) : (
        <form onSubmit={submit} noValidate>
          <p>Choose the name staff will see and a password (8 to 128 characters).</p>
          <Field label="Name" name="name" autoComplete="name" required error={errors.fields.name} />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            error={errors.fields.password}
          />
          {errors.general.length ? (
            <div className="error" role="alert">
              {errors.general.map((message) => (
                <p key={message}>{message}</p>
              ))}
            </div>
          ) : null}
          <button type="submit" className="primary" disabled={loading}>
            {loading ? 'Accepting…' : 'Accept invitation'}
          </button>
        </form>
      )}
    </div>
  );
}
