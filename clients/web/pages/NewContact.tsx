/** @jsxImportSource hono/jsx/dom */
/**
 * @module "Open urgent contact", built for an investigator under time pressure: the three legal grounds in plain
 * words, a live length check, counterpart search, and a passkey step-up that signs the exact justification. The
 * draft is saved as it is typed, so a failed request or a reload loses nothing.
 */
import { startAuthentication } from '@simplewebauthn/browser';
import { useEffect, useState } from 'hono/jsx';
import { api, type Me } from '../lib/api';
import { draftStore } from '../lib/drafts';
import { formErrors, noErrors, type FormErrors } from '../lib/fieldErrors';
import { navigate } from '../lib/router';
import { Field, GROUND_WORDING, HANDLING_WORDING, Notice } from '../components/ui';

const MIN_NARRATIVE = 40;

export interface ContactDraft {
  grounds: string[];
  narrative: string;
  caseReference: string;
  offenceCategory: string;
  requestedCountry: string;
  counterpartUserIds: string[];
  soughtInformation: string;
  handlingCode: string;
  handlingConditions: string;
  legalInstrument: string;
}

const EMPTY: ContactDraft = {
  grounds: [],
  narrative: '',
  caseReference: '',
  offenceCategory: '',
  requestedCountry: '',
  counterpartUserIds: [],
  soughtInformation: '',
  handlingCode: 'H0',
  handlingConditions: '',
  legalInstrument: '',
};

export function NewContactPage(props: { me: Me }) {
  const store = draftStore(localStorage, `contact.${props.me.id}`, EMPTY);
  const [draft, setDraftState] = useState<ContactDraft>(store.load());
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [countries, setCountries] = useState<Array<{ code: string; name: string }>>([]);
  const [instruments, setInstruments] = useState<Array<{ id: string; name: string; default?: boolean }>>([]);
  const [people, setPeople] = useState<Array<{ id: string; displayName: string; agencyName: string | null }>>([]);
  const [query, setQuery] = useState('');
  const [busy, setBusy] = useState<string | null>(null);

  const setDraft = (change: Partial<ContactDraft>) => {
    const next = { ...draft, ...change };
    setDraftState(next);
    store.save(next);
  };

  useEffect(() => {
    void api.get<Array<{ code: string; name: string }>>('/countries').then((list) => setCountries(list.filter((c) => c.code !== props.me.countryCode)));
    void api.get<{ instruments: Array<{ id: string; name: string; default?: boolean }> }>('/legal-instruments').then((r) => setInstruments(r.instruments));
  }, []);
  useEffect(() => {
    if (!draft.requestedCountry) return setPeople([]);
    const params = new URLSearchParams({ country: draft.requestedCountry, ...(query ? { q: query } : {}) });
    void api.get<Array<{ id: string; displayName: string; agencyName: string | null }>>(`/investigators?${params}`).then(setPeople).catch(() => setPeople([]));
  }, [draft.requestedCountry, query]);

  const toggle = (list: string[], value: string) => (list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);
  const narrativeLeft = MIN_NARRATIVE - draft.narrative.trim().length;

  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors(noErrors);
    try {
      setBusy('Checking the justification…');
      const body = {
        ...draft,
        handlingConditions: draft.handlingConditions || null,
        legalInstrument: draft.legalInstrument || undefined,
      };
      const prepared = await api.post<{ challengeId: string; justificationHash: string; options: never }>('/urgent-contacts/options', body);
      setBusy(`Sign the justification with your passkey (SHA-256 ${prepared.justificationHash.slice(0, 16)}…)`);
      const response = await startAuthentication({ optionsJSON: prepared.options });
      setBusy('Opening the contact and notifying both NCBs…');
      const opened = await api.post<{ id: string }>('/urgent-contacts', { challengeId: prepared.challengeId, response });
      store.clear();
      navigate(`/contacts/${opened.id}`);
    } catch (error) {
      setErrors(formErrors(error));
    } finally {
      setBusy(null);
    }
  };

  const input = (name: keyof ContactDraft) => (e: InputEvent) => setDraft({ [name]: (e.target as HTMLInputElement).value } as Partial<ContactDraft>);

  return (
    <section class="narrow">
      <h1>Open an urgent contact</h1>
      <Notice kind="warning">
        Direct contact is lawful only on one of the grounds below. Both NCBs are informed of your grounds at once, and the formal request must still follow.
      </Notice>
      <form onSubmit={submit} novalidate aria-busy={busy ? 'true' : 'false'}>
        {errors.general && <Notice kind="error">{errors.general}</Notice>}
        <fieldset class={`field${errors.fields.grounds ? ' has-error' : ''}`} data-field="grounds">
          <legend>Grounds (choose all that apply)</legend>
          {Object.entries(GROUND_WORDING).map(([value, { title, text }]) => (
            <label class="choice">
              <input type="checkbox" name="grounds" value={value} checked={draft.grounds.includes(value)} onChange={() => setDraft({ grounds: toggle(draft.grounds, value) })} />
              <span>
                <strong>{title}</strong>
                <br />
                {text}
              </span>
            </label>
          ))}
          {errors.fields.grounds && (
            <p class="error" role="alert">
              {errors.fields.grounds}
            </p>
          )}
        </fieldset>
        <Field label="Why the formal channel cannot wait" name="narrative" error={errors.fields.narrative} hint="The NCBs and compliance read this.">
          <textarea id="narrative" rows={5} value={draft.narrative} onInput={input('narrative')} />
          <p class={`counter ${narrativeLeft > 0 ? 'short' : 'ok'}`} aria-live="polite">
            {narrativeLeft > 0 ? `${narrativeLeft} more characters needed` : `${draft.narrative.trim().length} characters`}
          </p>
        </Field>
        <div class="row">
          <Field label="National case reference" name="caseReference" error={errors.fields.caseReference}>
            <input id="caseReference" value={draft.caseReference} onInput={input('caseReference')} />
          </Field>
          <Field label="Offence" name="offenceCategory" error={errors.fields.offenceCategory}>
            <input id="offenceCategory" list="offences" value={draft.offenceCategory} onInput={input('offenceCategory')} />
            <datalist id="offences">
              {['Kidnapping', 'Homicide', 'Trafficking in human beings', 'Drug trafficking', 'Child sexual exploitation', 'Terrorism', 'Cybercrime', 'Fraud'].map((o) => (
                <option value={o} />
              ))}
            </datalist>
          </Field>
        </div>
        <Field label="Requested country" name="requestedCountry" error={errors.fields.requestedCountry}>
          <select id="requestedCountry" value={draft.requestedCountry} onChange={(e: Event) => setDraft({ requestedCountry: (e.target as HTMLSelectElement).value, counterpartUserIds: [] })}>
            <option value="">Choose…</option>
            {countries.map((c) => (
              <option value={c.code} selected={c.code === draft.requestedCountry}>
                {c.name} ({c.code})
              </option>
            ))}
          </select>
        </Field>
        <Field label="Counterpart investigators" name="counterpartUserIds" error={errors.fields.counterpartUserIds} hint="Search by name in the requested country.">
          <input id="counterpartUserIds" type="search" placeholder="Search colleagues" value={query} onInput={(e: InputEvent) => setQuery((e.target as HTMLInputElement).value)} disabled={!draft.requestedCountry} />
          <div class="people">
            {people.map((p) => (
              <label class="choice">
                <input type="checkbox" name="counterpart" value={p.id} checked={draft.counterpartUserIds.includes(p.id)} onChange={() => setDraft({ counterpartUserIds: toggle(draft.counterpartUserIds, p.id) })} />
                <span>
                  {p.displayName} <span class="muted">{p.agencyName}</span>
                </span>
              </label>
            ))}
            {draft.requestedCountry && people.length === 0 && <p class="muted">No enrolled investigators found.</p>}
          </div>
        </Field>
        <Field label="Information or action sought" name="soughtInformation" error={errors.fields.soughtInformation}>
          <textarea id="soughtInformation" rows={3} value={draft.soughtInformation} onInput={input('soughtInformation')} />
        </Field>
        <fieldset class={`field${errors.fields.handlingCode ? ' has-error' : ''}`} data-field="handlingCode">
          <legend>Handling code</legend>
          {Object.entries(HANDLING_WORDING).map(([code, text]) => (
            <label class="choice">
              <input type="radio" name="handlingCode" value={code} checked={draft.handlingCode === code} onChange={() => setDraft({ handlingCode: code })} />
              <span>{text}</span>
            </label>
          ))}
        </fieldset>
        {draft.handlingCode === 'H3' && (
          <Field label="Restrictions (H3)" name="handlingConditions" error={errors.fields.handlingConditions}>
            <textarea id="handlingConditions" rows={2} value={draft.handlingConditions} onInput={input('handlingConditions')} />
          </Field>
        )}
        <Field label="Formal request to follow under" name="legalInstrument" error={errors.fields.legalInstrument}>
          <select id="legalInstrument" onChange={(e: Event) => setDraft({ legalInstrument: (e.target as HTMLSelectElement).value })}>
            {instruments.map((i) => (
              <option value={i.id} selected={draft.legalInstrument ? draft.legalInstrument === i.id : i.default}>
                {i.name}
              </option>
            ))}
          </select>
        </Field>
        {busy && <Notice>{busy}</Notice>}
        <button type="submit" class="primary wide" disabled={busy !== null}>
          Sign with passkey and open contact
        </button>
      </form>
    </section>
  );
}
