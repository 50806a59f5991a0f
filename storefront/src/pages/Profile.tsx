import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { Field } from '../components/Field';
import { ProblemMessage, problemOf } from '../components/Problem';
import { graphql } from '../gql';
import { formErrors, type FormErrors } from '../lib/errors';
import { navigate } from '../lib/router';
import { useShop } from '../lib/shop';
import { PASSWORD_RULES } from './Account';

export const ProfileQuery = graphql(`
  query Profile {
    me {
      id
      name
      email
      phone
      notificationPreferences {
        email
        sms
        updatedAt
      }
    }
  }
`);

export const UpdateProfileMutation = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      user {
        id
        name
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

export const UpdatePreferencesMutation = graphql(`
  mutation UpdatePreferences($input: UpdateNotificationPreferencesInput!) {
    updateNotificationPreferences(input: $input) {
      preferences {
        email
        sms
        updatedAt
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const ChangePasswordMutation = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const EMPTY: FormErrors = { fields: {}, general: [] };

export default function ProfilePage() {
  const { data, error } = useQuery(ProfileQuery);
  const me = data?.me;
  const [updateProfile, profileState] = useMutation(UpdateProfileMutation);
  const [updatePreferences, preferencesState] = useMutation(UpdatePreferencesMutation);
  const [errors, setErrors] = useState<FormErrors>(EMPTY);
  const [saved, setSaved] = useState('');
  const { session } = useShop();
  const client = useApolloClient();
  const [everywhere, setEverywhere] = useState<string | null>(null);
  const [changePassword, passwordState] = useMutation(ChangePasswordMutation);
  const [passwordErrors, setPasswordErrors] = useState<FormErrors>(EMPTY);

  if (error && !data) return <><h1>Profile</h1><ProblemMessage error={error} /></>;
  if (!me) return <p aria-busy="true">Loading your profile…</p>;

  const saveProfile = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setErrors(EMPTY);
    setSaved('');
    const phone = String(form.get('phone') ?? '').trim();
    try {
      const { data: result } = await updateProfile({
        variables: { input: { name: String(form.get('name')), phone: phone || null } },
      });
      const problems = result?.updateProfile.userErrors ?? [];
      if (problems.length) setErrors(formErrors(problems, ['name', 'phone']));
      else setSaved('Profile saved.');
    } catch (caught) {
      setErrors({ fields: {}, general: [problemOf(caught).message] });
    }
  };

  const savePreferences = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setSaved('');
    try {
      const { data: result } = await updatePreferences({
        variables: { input: { email: form.get('email') === 'on', sms: form.get('sms') === 'on' } },
      });
      const problems = result?.updateNotificationPreferences.userErrors ?? [];
      if (problems.length) setErrors(formErrors(problems));
      else setSaved('Notification preferences saved.');
      await client.refetchQueries({ include: [ProfileQuery] });
    } catch (caught) {
      setErrors({ fields: {}, general: [problemOf(caught).message] });
    }
  };

  const savePassword = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setPasswordErrors(EMPTY);
    setSaved('');
    try {
      const { data: result } = await changePassword({
        variables: {
          input: { currentPassword: String(form.get('currentPassword')), newPassword: String(form.get('newPassword')) },
        },
      });
      const problems = result?.changePassword.userErrors ?? [];
      if (problems.length) setPasswordErrors(formErrors(problems, ['currentPassword', 'newPassword']));
      else {
        formElement.reset();
        setSaved('Password changed. Your other devices were signed out.');
      }
    } catch (caught) {
      setPasswordErrors({ fields: {}, general: [problemOf(caught).message] });
    }
  };

  const signOutEverywhere = async () => {
    setEverywhere(null);
    try {
      await session.signOutEverywhere();
      await client.clearStore();
      navigate('/sign-in');
    } catch (caught) {
      setEverywhere(problemOf(caught).message);
    }
  };

  return (
    <div className="narrow">
      <h1>Profile</h1>
      <p role="status" className="confirmation">
        {saved}
      </p>
      {errors.general.length ? (
        <div role="alert">
          {errors.general.map((message) => (
            <p key={message} className="error">
              {message}
            </p>
          ))}
        </div>
      ) : null}
      <p>Signed in as {me.email}</p>
      <form onSubmit={saveProfile} aria-labelledby="profile-heading">
        <h2 id="profile-heading">Your details</h2>
        <Field label="Name" name="name" autoComplete="name" defaultValue={me.name} required error={errors.fields.name} />
        <Field label="Phone" name="phone" type="tel" autoComplete="tel" defaultValue={me.phone ?? ''} hint="Optional, for SMS notifications (international format, e.g. +15551234567)." error={errors.fields.phone} />
        <button type="submit" disabled={profileState.loading}>
          Save profile
        </button>
      </form>
      <form onSubmit={savePreferences} aria-labelledby="prefs-heading" key={me.notificationPreferences.updatedAt ?? 'default'}>
        <h2 id="prefs-heading">Notifications</h2>
        <div className="check">
          <input id="pref-email" name="email" type="checkbox" defaultChecked={me.notificationPreferences.email} />
          <label htmlFor="pref-email">Email me receipts and order news</label>
        </div>
        <div className="check">
          <input id="pref-sms" name="sms" type="checkbox" defaultChecked={me.notificationPreferences.sms} />
          <label htmlFor="pref-sms">Text me (SMS) about my orders</label>
        </div>
        <button type="submit" disabled={preferencesState.loading}>
          Save preferences
        </button>
      </form>
      <form onSubmit={savePassword} aria-labelledby="password-heading">
        <h2 id="password-heading">Change password</h2>
        {passwordErrors.general.length ? (
          <p className="error" role="alert">
            {passwordErrors.general.join(' ')}
          </p>
        ) : null}
        <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" required error={passwordErrors.fields.currentPassword} />
        <Field label="New password" name="newPassword" type="password" autoComplete="new-password" required minLength={8} hint={PASSWORD_RULES} error={passwordErrors.fields.newPassword} />
        <button type="submit" disabled={passwordState.loading}>
          Change password
        </button>
      </form>
      <section aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Devices</h2>
        <p>Signed in somewhere you no longer use? Sign out on every device, this one included.</p>
        {everywhere ? (
          <p className="error" role="alert">
            {everywhere}
          </p>
        ) : null}
        <button type="button" onClick={signOutEverywhere}>
          Sign out everywhere
        </button>
      </section>
    </div>
  );
}
