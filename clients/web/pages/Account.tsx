/** @jsxImportSource hono/jsx/dom */
/** @module The signed-in user's passkeys (add, rename, revoke) and this browser's device fingerprint. */
import { startRegistration } from '@simplewebauthn/browser';
import { useEffect, useState } from 'hono/jsx';
import { deviceFingerprint } from '../../sdk/crypto';
import type { Messenger } from '../../sdk/messenger';
import { api, type Me } from '../lib/api';
import { formErrors } from '../lib/fieldErrors';
import { Notice, when, TableHead } from '../components/ui';

interface Passkey {
  id: string;
  name: string;
  deviceType: string;
  backedUp: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

export function AccountPage(props: { me: Me; messenger: Messenger | null }) {
  const [passkeys, setPasskeys] = useState<Passkey[]>([]);
  const [fingerprint, setFingerprint] = useState('');
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const reload = () => api.get<Passkey[]>('/me/passkeys').then((list) => setPasskeys(Array.isArray(list) ? list : ((list as { passkeys: Passkey[] }).passkeys ?? [])));
  useEffect(() => {
    void reload();
    if (props.messenger) {
      void import('../../sdk/crypto').then(async ({ b64, sodiumReady }) => {
        await sodiumReady();
        setFingerprint(await deviceFingerprint(b64(props.messenger!.device.keys.identityPublic)));
      });
    }
  }, []);
  const act = async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      setMessage({ kind: 'success', text: done });
      await reload();
    } catch (e) {
      setMessage({ kind: 'error', text: formErrors(e).general ?? Object.values(formErrors(e).fields)[0] ?? 'Failed' });
    }
  };
  return (
    <section>
      <h1>Your account</h1>
      <p>
        {props.me.displayName} · {props.me.email} · {props.me.agencyName ?? 'no agency'}
      </p>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      <h2>Passkeys</h2>
      <table>
        <TableHead columns={['Name', 'Kind', 'Added', 'Last used']} actions />
        <tbody>
          {passkeys.map((p) => (
            <tr>
              <td>{p.name}</td>
              <td>{p.deviceType === 'multiDevice' ? 'Synced' : 'This device only'}</td>
              <td>{when(p.createdAt)}</td>
              <td>{when(p.lastUsedAt)}</td>
              <td class="actions">
                <button
                  onClick={() => {
                    const name = prompt('New name for this passkey', p.name);
                    if (name) void act(() => api.request('PATCH', `/me/passkeys/${encodeURIComponent(p.id)}`, { name }), 'Passkey renamed');
                  }}
                >
                  Rename
                </button>
                <button class="danger" onClick={() => act(() => api.delete(`/me/passkeys/${encodeURIComponent(p.id)}`), 'Passkey revoked')}>
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button
        onClick={() =>
          act(async () => {
            const begin = await api.post<{ challengeId: string; options: never }>('/me/passkeys/options');
            const response = await startRegistration({ optionsJSON: begin.options });
            await api.post('/me/passkeys', { challengeId: begin.challengeId, response, name: `Passkey ${passkeys.length + 1}` });
          }, 'Passkey added')
        }
      >
        Add another passkey
      </button>
      {props.messenger && (
        <>
          <h2>This browser</h2>
          <p>
            Messages are encrypted for each device. This browser’s device fingerprint — colleagues see the same value when they verify you:
          </p>
          <p class="fingerprint" data-testid="device-fingerprint">
            {fingerprint || '…'}
          </p>
        </>
      )}
    </section>
  );
}
