/** @jsxImportSource hono/jsx/dom */
/** @module Sign in with a passkey (discoverable credential: no user name to type). */
import { startAuthentication } from '@simplewebauthn/browser';
import { useState } from 'hono/jsx';
import { api } from '../lib/api';
import { formErrors } from '../lib/fieldErrors';
import { Notice } from '../components/ui';

export function LoginPage(props: { onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const signIn = async () => {
    setBusy(true);
    setError(null);
    try {
      const begin = await api.post<{ challengeId: string; options: never }>('/auth/login/options');
      const response = await startAuthentication({ optionsJSON: begin.options });
      await api.post('/auth/login/complete', { challengeId: begin.challengeId, response });
      history.replaceState(null, '', '/');
      props.onDone();
    } catch (e) {
      setError(formErrors(e).general ?? 'Sign-in failed');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="auth-card">
      <h1>Exigent</h1>
      <p class="lede">Secure urgent contact between investigators — accountable to NCBs and compliance.</p>
      {error && <Notice kind="error">{error}</Notice>}
      <button class="primary wide" onClick={signIn} disabled={busy}>
        {busy ? 'Waiting for your passkey…' : 'Sign in with your passkey'}
      </button>
      <p class="hint">No account? Ask your agency’s Exigent administrator for an invitation link.</p>
    </div>
  );
}
