import { useMutation, useQuery } from '@apollo/client/react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Field } from '@storefront/components/Field';
import { LoadMore } from '@storefront/components/LoadMore';
import { ProblemMessage, problemOf } from '@storefront/components/Problem';
import { formErrors, type FormErrors } from '@storefront/lib/errors';
import { graphql } from '../gql';
import type { Role } from '../gql/graphql';
import { appendPage, formatWhen } from '../lib/pages';
import { useSubmitGuard } from '../lib/guard';
import { MAX_REASON_LENGTH } from '../lib/reason';
import { useClaims } from '../lib/services';

const PAGE = 50;
const EMPTY: FormErrors = { fields: {}, general: [] };
const STAFF_ROLES: readonly Role[] = ['SUPPORT', 'CATALOG', 'ADMIN'];
const ROLE_LABEL: Record<Role, string> = {
  CUSTOMER: 'Customer',
  SUPPORT: 'Support',
  CATALOG: 'Catalog',
  ADMIN: 'Admin',
};

export const StaffMembersQuery = graphql(`
  query StaffMembers($first: Int!, $after: String) {
    staffMembers(first: $first, after: $after) {
      edges {
        node {
          id
          name
          email
          role
          lastSignInAt
          disabledAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const StaffInvitationsQuery = graphql(`
  query StaffInvitations($first: Int!, $after: String) {
    staffInvitations(first: $first, after: $after) {
      edges {
        node {
          email
          role
          createdAt
          expiresAt
          expired
          invitedBy {
            id
            name
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const InviteStaffMutation = graphql(`
  mutation InviteStaff($input: InviteStaffInput!) {
    inviteStaff(input: $input) {
      invitation {
        email
        role
        expiresAt
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const ChangeStaffRoleMutation = graphql(`
  mutation ChangeStaffRole($input: ChangeStaffRoleInput!) {
    changeStaffRole(input: $input) {
      user {
        id
        role
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const DisableStaffMutation = graphql(`
  mutation DisableStaff($input: DisableStaffInput!) {
    disableStaff(input: $input) {
      user {
        id
        disabledAt
      }
      revokedSessions
      userErrors {
        field
        message
        code
      }
    }
  }
`);

interface Member {
  id: string;
  name: string;
  email: string | null;
  role: Role | null;
}

/** Who an action is about, as every destructive action names it. */
const target = (member: Member) => `${member.name} (${member.email ?? member.id})`;

function RoleSelect({ id, defaultValue, error }: { id: string; defaultValue?: Role | null; error?: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>Role</label>
      <select
        id={id}
        name="role"
        defaultValue={defaultValue ?? 'SUPPORT'}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      >
        {STAFF_ROLES.map((role) => (
          <option key={role} value={role}>
            {ROLE_LABEL[role]}
          </option>
        ))}
      </select>
      {error ? (
        <p id={`${id}-error`} className="error field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function General({ errors }: { errors: FormErrors }) {
  return errors.general.length ? (
    <div className="error" role="alert">
      {errors.general.map((message) => (
        <p key={message}>{message}</p>
      ))}
    </div>
  ) : null;
}

function InviteForm() {
  const [invite, { loading }] = useMutation(InviteStaffMutation, {
    refetchQueries: [StaffInvitationsQuery],
  });
  const [errors, setErrors] = useState<FormErrors>(EMPTY);
  const [sent, setSent] = useState<string | null>(null);
  const guard = useSubmitGuard();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    void guard.run(async () => {
      setErrors(EMPTY);
      setSent(null);
      try {
        const result = await invite({
          variables: { input: { email: String(data.get('email')), role: String(data.get('role')) as Role } },
        });
        const payload = result.data?.inviteStaff;
        if (payload?.invitation) {
          setSent(`Invitation sent to ${payload.invitation.email}.`);
          form.reset();
        } else {
          setErrors(formErrors(payload?.userErrors ?? [], ['email', 'role']));
        }
      } catch (caught) {
        setErrors({ fields: {}, general: [problemOf(caught).message] });
      }
    });
  };
  return (
    <form className="panel" aria-labelledby="invite-heading" onSubmit={submit} noValidate>
      <h2 id="invite-heading">Invite a staff member</h2>
      <Field label="Email" name="email" type="email" autoComplete="off" required error={errors.fields.email} />
      <RoleSelect id="invite-role" error={errors.fields.role} />
      <General errors={errors} />
      <button type="submit" className="primary" disabled={loading}>
        {loading ? 'Inviting…' : 'Invite'}
      </button>
      <p role="status">{sent}</p>
    </form>
  );
}

type Action = { kind: 'role' | 'disable'; member: Member };

/**
 * Change role or disable: names the account, asks why, sends once. Each mutation answers the
 * account's `id` and changed field, which updates its cached row in place: no list is read
 * again (that would drop the pages "Load more" added).
 */
function ActionForm({ action, onDone }: { action: Action; onDone: (message: string | null) => void }) {
  const [changeRole, changing] = useMutation(ChangeStaffRoleMutation);
  const [disable, disabling] = useMutation(DisableStaffMutation);
  const busy = changing.loading || disabling.loading;
  const guard = useSubmitGuard();
  const [errors, setErrors] = useState<FormErrors>(EMPTY);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []); // the form opened below the table: go to it
  const { member, kind } = action;
  const title = kind === 'role' ? `Change the role of ${target(member)}` : `Disable ${target(member)}`;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const reason = String(data.get('reason'));
    void guard.run(async () => {
      setErrors(EMPTY);
      try {
        if (kind === 'role') {
          const role = String(data.get('role')) as Role;
          const result = await changeRole({ variables: { input: { userId: member.id, role, reason } } });
          const payload = result.data?.changeStaffRole;
          if (payload?.user) return onDone(`${target(member)} is now ${ROLE_LABEL[role]}.`);
          setErrors(formErrors(payload?.userErrors ?? [], ['role', 'reason']));
        } else {
          const result = await disable({ variables: { input: { userId: member.id, reason } } });
          const payload = result.data?.disableStaff;
          if (payload?.user) return onDone(`${target(member)} is disabled.`);
          setErrors(formErrors(payload?.userErrors ?? [], ['reason']));
        }
      } catch (caught) {
        setErrors({ fields: {}, general: [problemOf(caught).message] });
      }
    });
  };
  return (
    <form className="panel" aria-labelledby="action-heading" onSubmit={submit} noValidate>
      <h2 id="action-heading" ref={heading} tabIndex={-1}>
        {title}
      </h2>
      {kind === 'role' ? <RoleSelect id="change-role" defaultValue={member.role} error={errors.fields.role} /> : null}
      <Field label="Reason" name="reason" required maxLength={MAX_REASON_LENGTH} error={errors.fields.reason} />
      <General errors={errors} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : kind === 'role' ? 'Change role' : 'Disable'}
        </button>
        <button type="button" onClick={() => onDone(null)} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Invitations() {
  const { data, error, fetchMore } = useQuery(StaffInvitationsQuery, {
    variables: { first: PAGE },
    fetchPolicy: 'cache-and-network',
  });
  const invitations = data?.staffInvitations.edges ?? [];
  const pageInfo = data?.staffInvitations.pageInfo;
  return (
    <section aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Invitations not accepted yet</h2>
      {error && !data ? <ProblemMessage error={error} /> : null}
      {data && invitations.length === 0 ? <p>None pending.</p> : null}
      {invitations.length ? (
        <table>
          <caption className="visually-hidden">Invitations not accepted yet</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Invited by</th>
              <th scope="col">Sent</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {invitations.map(({ node }) => (
              <tr key={`${node.email}-${node.createdAt}`}>
                <td>{node.email}</td>
                <td>{ROLE_LABEL[node.role]}</td>
                <td>{node.invitedBy?.name ?? '—'}</td>
                <td>{formatWhen(node.createdAt)}</td>
                <td>{node.expired ? 'Expired' : `Pending until ${formatWhen(node.expiresAt)}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <LoadMore
        pageInfo={pageInfo}
        fetchPage={(after) =>
          fetchMore({ variables: { first: PAGE, after }, updateQuery: appendPage('staffInvitations') })
        }
      />
    </section>
  );
}

export function StaffPage() {
  const { data, error, loading, fetchMore } = useQuery(StaffMembersQuery, {
    variables: { first: PAGE },
    fetchPolicy: 'cache-and-network',
  });
  const [action, setAction] = useState<Action | null>(null);
  const [done, setDone] = useState<{ message: string | null } | null>(null);
  const me = useClaims()?.subject; // one's own account is never changed here (the API refuses it)
  const members = data?.staffMembers;
  const opener = useRef<HTMLButtonElement | null>(null);
  const status = useRef<HTMLParagraphElement>(null);
  // The form closed: focus goes to what it did (the status message) or, cancelled, back to the
  // row's button that opened it, never to the page's body.
  useEffect(() => {
    if (!done) return;
    const back = opener.current;
    (done.message || !back?.isConnected ? status.current : back)?.focus();
  }, [done]);
  const open = (next: Action, button: HTMLButtonElement) => {
    opener.current = button;
    setDone(null);
    setAction(next);
  };
  return (
    <>
      <h1>Staff</h1>
      <p role="status" ref={status} tabIndex={-1}>
        {done?.message}
      </p>
      {error && !data ? <ProblemMessage error={error} /> : null}
      {loading && !data ? <p aria-busy="true">Loading staff…</p> : null}
      {members ? (
        <table>
          <caption className="visually-hidden">Staff members</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Last sign-in</th>
              <th scope="col">Disabled</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {members.edges.map(({ node }) => (
              <tr key={node.id}>
                <td>{node.name}</td>
                <td>{node.email}</td>
                <td>{node.role ? ROLE_LABEL[node.role] : '—'}</td>
                <td>{node.lastSignInAt ? formatWhen(node.lastSignInAt) : 'Never'}</td>
                <td>{node.disabledAt ? formatWhen(node.disabledAt) : 'No'}</td>
                <td>
                  {node.id === me ? (
                    'You'
                  ) : node.disabledAt ? null : (
                    <div className="row-actions">
                      <button type="button" onClick={(event) => open({ kind: 'role', member: node }, event.currentTarget)}>
                        Change role
                      </button>
                      <button type="button" onClick={(event) => open({ kind: 'disable', member: node }, event.currentTarget)}>
                        Disable
                      </button>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <LoadMore
        pageInfo={members?.pageInfo}
        fetchPage={(after) => fetchMore({ variables: { first: PAGE, after }, updateQuery: appendPage('staffMembers') })}
      />
      {action ? (
        <ActionForm
          key={`${action.kind}-${action.member.id}`}
          action={action}
          onDone={(message) => {
            setAction(null);
            setDone({ message });
          }}
        />
      ) : null}
      <InviteForm />
      <Invitations />
    </>
  );
}
