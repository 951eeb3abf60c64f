/** @jsxImportSource hono/jsx/dom */
/**
 * @module The log's checkpoint verified in the browser against a pinned key (clients/web/lib/logKeyPin.ts), with the
 * key's fingerprint for out-of-band comparison, a loud refusal when the server serves another key, and re-pinning
 * only after an explicit confirmation.
 */
import { useEffect, useState } from 'hono/jsx';
import { api } from '../lib/api';
import { BUILT_IN_LOG_VERIFIER_KEY, repinLogKey, resolveLogKey } from '../lib/logKeyPin';
import { logKeyFingerprint } from '../lib/logVerifierKey';
import { verifyCheckpointNote, type CheckpointVerdict } from '../lib/verifyCheckpoint';
import { Badge, Notice } from './ui';

interface KeyFacts {
  text: string;
  keyId: string;
  fingerprint: string;
}

type Checked =
  | { kind: 'trusted'; source: 'built-in' | 'pinned' | 'pinned-now'; key: KeyFacts; verdict: CheckpointVerdict }
  | { kind: 'mismatch'; trusted: KeyFacts; served: KeyFacts; canRepin: boolean };

type State = { phase: 'checking' } | { phase: 'failed'; message: string } | ({ phase: 'checked' } & Checked);

const SOURCE_WORDING = {
  'built-in': 'Log key built into this app by its operator.',
  pinned: 'Log key pinned in this browser on first use.',
  'pinned-now': 'Log key pinned in this browser on first use — just now.',
};

async function factsOf(text: string): Promise<KeyFacts> {
  return { text, keyId: text.split('+')[1] ?? '?', fingerprint: await logKeyFingerprint(text) };
}

async function checkLog(): Promise<Checked> {
  const { verifierKey } = await api.get<{ verifierKey: string }>('/log/key');
  const trust = await resolveLogKey({ served: verifierKey, builtIn: BUILT_IN_LOG_VERIFIER_KEY, storage: localStorage });
  if (trust.kind === 'mismatch') return { ...trust, trusted: await factsOf(trust.trusted), served: await factsOf(trust.served) };
  const note = new TextDecoder().decode(await api.get<Uint8Array>('/log/checkpoint'));
  return { kind: 'trusted', source: trust.source, key: await factsOf(trust.key.text), verdict: await verifyCheckpointNote(note, trust.key) };
}

function KeyFactsList(props: { facts: KeyFacts }) {
  return (
    <dl class="key-facts">
      <dt>Key id</dt>
      <dd class="fingerprint" data-testid="log-key-id">
        {props.facts.keyId}
      </dd>
      <dt>Fingerprint</dt>
      <dd class="fingerprint" data-testid="log-key-fingerprint">
        {props.facts.fingerprint}
      </dd>
      <dt>Verifier key</dt>
      <dd>
        <code class="verifier-key">{props.facts.text}</code>
      </dd>
    </dl>
  );
}

function Verdict(props: { verdict: CheckpointVerdict }) {
  const { verdict } = props;
  if (!verdict.valid) return <Notice kind="error">✘ Checkpoint not verified: {verdict.problem}</Notice>;
  return (
    <p>
      <Badge tone="good">✔ log checkpoint verified in your browser</Badge> tree size {verdict.size}, root {verdict.rootHash?.slice(0, 16)}…
    </p>
  );
}

function KeyChanged(props: { checked: Extract<Checked, { kind: 'mismatch' }>; onRepin: () => void }) {
  const { trusted, served, canRepin } = props.checked;
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <Notice kind="error">
        <strong>{canRepin ? 'The log’s key has changed since this browser pinned it.' : 'This server’s log key is not the one built into this app.'}</strong>{' '}
        The checkpoint is not verified: this server may not be the log you trusted.{' '}
        {canRepin
          ? 'Ask the operator, by phone or in person, whether the key really changed before trusting the new one.'
          : 'Tell the operator: this app accepts no other key until it is rebuilt with the new one.'}
      </Notice>
      <div class="key-compare">
        <div data-testid="pinned-key">
          <h2>{canRepin ? 'Pinned in this browser' : 'Built into this app'}</h2>
          <KeyFactsList facts={trusted} />
        </div>
        <div data-testid="served-key">
          <h2>Served by this server now</h2>
          <KeyFactsList facts={served} />
        </div>
      </div>
      {canRepin &&
        (confirming ? (
          <div class="notice warning" role="group" aria-label="Confirm the new log key">
            <p>
              Trust the new key only if the operator has told you, outside this app, that the log key changed and that its fingerprint is{' '}
              <span class="fingerprint">{served.fingerprint}</span>.
            </p>
            <button class="primary" onClick={props.onRepin}>
              Yes, trust the new key
            </button>{' '}
            <button onClick={() => setConfirming(false)}>Keep the pinned key</button>
          </div>
        ) : (
          <button onClick={() => setConfirming(true)}>Trust the new key…</button>
        ))}
    </>
  );
}

export function LogCheckpointStatus() {
  const [state, setState] = useState<State>({ phase: 'checking' });
  // `first` runs inside the same chain, so a storage failure while re-pinning is shown like any other.
  const check = (first: () => void = () => undefined) =>
    Promise.resolve()
      .then(first)
      .then(checkLog)
      .then(
        (checked) => setState({ phase: 'checked', ...checked }),
        (error: Error) => setState({ phase: 'failed', message: error.message }),
      );
  useEffect(() => void check(), []);
  const repin = (served: string) => {
    setState({ phase: 'checking' });
    void check(() => repinLogKey(localStorage, served));
  };
  return (
    <div class="panel log-status" data-testid="log-status">
      {state.phase === 'checking' && 'Verifying the log…'}
      {state.phase === 'failed' && <Notice kind="error">✘ The log could not be verified: {state.message}</Notice>}
      {state.phase === 'checked' && state.kind === 'mismatch' && <KeyChanged checked={state} onRepin={() => repin(state.served.text)} />}
      {state.phase === 'checked' && state.kind === 'trusted' && (
        <>
          <Verdict verdict={state.verdict} />
          <p class="small muted">
            {SOURCE_WORDING[state.source]} Compare its key id and fingerprint with the log key your operator publishes — by phone or in person. If
            they differ, this server is not the log you think it is.
          </p>
          <KeyFactsList facts={state.key} />
        </>
      )}
    </div>
  );
}
