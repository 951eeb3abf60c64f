// The web app's logic that does not need a browser: countdowns, drafts, problem-to-field mapping and key-change
// wording. Checkpoint verification and the log key's pin have their own tests beside them.
import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../../sdk/api';
import { formatRemaining, urgency } from './countdown';
import { draftStore, type DraftStorage } from './drafts';
import { formErrors } from './fieldErrors';
import { describeKeyChange } from './keyWarnings';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('deadline countdown', () => {
  it('reads naturally at every scale, and after the deadline', () => {
    expect(formatRemaining(47 * MIN, 0)).toBe('47 min left');
    expect(formatRemaining(5 * HOUR + 3 * MIN, 0)).toBe('5 h 3 min left');
    expect(formatRemaining(3 * 24 * HOUR + 4 * HOUR + 59 * MIN, 0)).toBe('3 d 4 h left');
    expect(formatRemaining(0, 2 * HOUR)).toBe('overdue by 2 h 0 min');
  });
  it('grows more urgent as the time allowed runs out', () => {
    expect(urgency(0, 100 * HOUR, 10 * HOUR)).toBe('ok');
    expect(urgency(0, 100 * HOUR, 60 * HOUR)).toBe('soon');
    expect(urgency(0, 100 * HOUR, 95 * HOUR)).toBe('urgent');
    expect(urgency(0, 100 * HOUR, 101 * HOUR)).toBe('overdue');
  });
});

describe('drafts', () => {
  const memory = (): DraftStorage & { data: Map<string, string> } => {
    const data = new Map<string, string>();
    return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
  };
  it('survive a reload and are cleared once accepted', () => {
    const storage = memory();
    const first = draftStore(storage, 'contact.u1', { narrative: '', grounds: [] as string[] });
    first.save({ narrative: 'the car left at 14:05', grounds: ['flight_risk'] });
    const afterReload = draftStore(storage, 'contact.u1', { narrative: '', grounds: [] as string[] });
    expect(afterReload.load()).toEqual({ narrative: 'the car left at 14:05', grounds: ['flight_risk'] });
    afterReload.clear();
    expect(afterReload.load()).toEqual({ narrative: '', grounds: [] });
  });
  it('fall back to the empty form on corrupt storage and keep new fields', () => {
    const storage = memory();
    storage.setItem('exigent.draft.x', '{not json');
    expect(draftStore(storage, 'x', { a: 1 }).load()).toEqual({ a: 1 });
    storage.setItem('exigent.draft.x', '{"a":2}');
    expect(draftStore(storage, 'x', { a: 1, b: 'new' }).load()).toEqual({ a: 2, b: 'new' });
  });
});

describe('problem+json to form fields', () => {
  it('puts each message next to its top-level field', () => {
    const problem = new ApiProblem({ title: 'Invalid request', status: 400, detail: 'x', errors: [{ field: 'grounds.0', message: 'unknown ground' }, { field: 'narrative', message: 'too short' }] });
    expect(formErrors(problem)).toEqual({ fields: { grounds: 'unknown ground', narrative: 'too short' }, general: null });
  });
  it('shows the detail when no field is named, and plain errors as they are', () => {
    expect(formErrors(new ApiProblem({ title: 'Conflict', status: 409, detail: 'already closed' }))).toEqual({ fields: {}, general: 'already closed' });
    expect(formErrors(new Error('offline'))).toEqual({ fields: {}, general: 'offline' });
  });
});

describe('key-change warning', () => {
  it('says what changed and what to do', () => {
    expect(describeKeyChange({ userId: 'u', added: ['k1', 'k2'], removed: ['k0'] }, 'Piotr')).toBe(
      "Piotr's devices changed (2 new devices, 1 device removed). Compare safety numbers again — by phone or in person — before sharing anything sensitive.",
    );
  });
});
