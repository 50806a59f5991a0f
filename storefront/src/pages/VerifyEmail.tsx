import { useMutation, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { problemOf } from '../components/Problem';
import { graphql } from '../gql';
import { userErrorMessage } from '../lib/errors';
import { Link, useLocation } from '../lib/router';
import { useSession } from '../lib/shop';

export const EmailVerificationQuery = graphql(`
  query EmailVerification {
    me {
      id
      email
      emailVerified
    }
  }
`);

export const VerifyEmailMutation = graphql(`
  mutation VerifyEmail($input: VerifyEmailInput!) {
    verifyEmail(input: $input) {
      user {
        id
        emailVerified
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const ResendVerificationEmailMutation = graphql(`
  mutation ResendVerificationEmail {
    resendVerificationEmail {
      userErrors {
        field
        message
        code
      }
    }
  }
`);

/** "Send the link again", for a signed-in user whose address is not verified. */
function ResendLink() {
  const [resend, { loading }] = useMutation(ResendVerificationEmailMutation);
  const [said, setSaid] = useState('');
  const send = async () => {
    try {
      const { data } = await resend();
      const problems = data?.resendVerificationEmail.userErrors ?? [];
      setSaid(problems.length ? userErrorMessage(problems[0]) : 'A new link is on its way.');
    } catch (caught) {
      setSaid(problemOf(caught).message);
    }
  };
  return (
    <>
      <button type="button" className="link-button" onClick={send} disabled={loading}>
        Send the link again
      </button>
      {/* aria-live, not role="status": pages keep their one status (an order's, say) */}
      <span aria-live="polite"> {said}</span>
    </>
  );
}

/** Shown on every page to a signed-in user who has not verified the address yet. */
export function VerifyEmailNotice() {
  const { signedIn } = useSession();
  const location = useLocation();
  const { data } = useQuery(EmailVerificationQuery, { skip: !signedIn });
  const me = data?.me;
  if (!signedIn || !me || me.emailVerified !== false || location.pathname === '/verify-email') {
    return null;
  }
  return (
    <div className="notice" role="note">
      <p>
        Please verify your email: we sent a link to {me.email}. Orders work meanwhile. <ResendLink />
      </p>
    </div>
  );
}

/** Where the mailed link leads: one click spends the one-time token. */
export function VerifyEmailPage() {
  const location = useLocation();
  const token = location.searchParams.get('token') ?? '';
  const { signedIn } = useSession();
  const [verify, { loading }] = useMutation(VerifyEmailMutation, { context: { anonymous: true } });
  const [done, setDone] = useState(false);
  const [problem, setProblem] = useState('');

  const confirm = async () => {
    setProblem('');
    try {
      const { data } = await verify({ variables: { input: { token } } });
      const problems = data?.verifyEmail.userErrors ?? [];
      if (problems.length) setProblem(userErrorMessage(problems[0]));
      else setDone(true);
    } catch (caught) {
      setProblem(problemOf(caught).message);
    }
  };

  return (
    <div className="narrow">
      <h1>Verify your email</h1>
      {done ? (
        <p role="status">
          Your email is verified. <Link href="/">Back to the products</Link>
        </p>
      ) : (
        <>
          <p>Confirm that this address is yours.</p>
          <button type="button" className="primary" onClick={confirm} disabled={loading || !token}>
            Confirm my email
          </button>
          {problem ? (
            <p role="alert">
              {problem} {signedIn ? <ResendLink /> : null}
            </p>
          ) : null}
        </>
      )}
    </div>
  );
}
