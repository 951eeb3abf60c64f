/** @jsxImportSource hono/jsx/dom */
/** @module Enrolment from a first-admin or invitation link: create a passkey, which is the whole account. */
import { startRegistration } from '@simplewebauthn/browser';
import { useState } from 'hono/jsx';
import { api } from '../lib/api';
import { formErrors, noErrors, type FormErrors } from '../lib/fieldErrors';
import { Field, Notice } from '../components/ui';

export function EnrolPage(props: { onDone: () => void }) {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  if (!token) return <Notice kind="error">This enrolment link is incomplete. Open the full link you were sent.</Notice>;

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors(noErrors);
    try {
      const begin = await api.post<{ challengeId: string; options: never }>('/auth/enrolment/options', {
        token,
        ...(email ? { email } : {}),
        ...(displayName ? { displayName } : {}),
      });
      const response = await startRegistration({ optionsJSON: begin.options });
      await api.post('/auth/enrolment/complete', { token, challengeId: begin.challengeId, response });
      // Drop the spent token from the address bar and history.
      history.replaceState(null, '', '/');
      props.onDone();
    } catch (error) {
      setErrors(formErrors(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="auth-card">
      <h1>Welcome to Exigent</h1>
      <p>Exigent uses passkeys only: your device unlocks your account with your fingerprint, face or PIN. There is no password.</p>
      <form onSubmit={submit} novalidate>
        {errors.general && <Notice kind="error">{errors.general}</Notice>}
        <Field label="Work e-mail (only for the first administrator; invitations already name you)" name="email" error={errors.fields.email}>
          <input id="email" type="email" autocomplete="email" value={email} onInput={(e: InputEvent) => setEmail((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label="Your name as colleagues should see it" name="displayName" error={errors.fields.displayName}>
          <input id="displayName" autocomplete="name" value={displayName} onInput={(e: InputEvent) => setDisplayName((e.target as HTMLInputElement).value)} />
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Waiting for your passkey…' : 'Create my passkey'}
        </button>
      </form>
    </div>
  );
}
