/** @module Test fixtures that act like people: enrol through real passkey ceremonies, invite colleagues, sign in. */
import { expect } from 'vitest';
import { ApiClient, TEST_ORIGIN } from './apiClient';
import { SoftAuthenticator } from './webauthn/softAuthenticator';

export interface Person {
  client: ApiClient;
  authenticator: SoftAuthenticator;
  user: { id: string; email: string; role: string; agencyId: string | null; countryCode: string | null; displayName: string };
}

export function tokenFromUrl(url: string): string {
  const token = new URL(url).hash.replace(/^#token=/, '');
  if (!token) throw new Error(`no token in ${url}`);
  return token;
}

export async function enrolWithLink(
  baseUrl: string,
  url: string,
  identity: { email?: string; displayName?: string } = {},
  origin = TEST_ORIGIN,
  authenticator = new SoftAuthenticator({ origin }),
): Promise<Person> {
  const client = new ApiClient(baseUrl, origin);
  const token = tokenFromUrl(url);
  const begin = await client.post('/api/v1/auth/enrolment/options', { token, ...identity });
  expect(begin.status, begin.text).toBe(200);
  const response = await authenticator.createCredential(begin.body.options);
  const done = await client.post('/api/v1/auth/enrolment/complete', { token, challengeId: begin.body.challengeId, response });
  expect(done.status, done.text).toBe(201);
  return { client, authenticator, user: done.body.user };
}

/** `server`: a running test server (Node) or harness (workerd) on a fresh database. */
export async function enrolFirstAdmin(server: { url: string; firstAdminUrl: string | undefined }): Promise<Person> {
  if (!server.firstAdminUrl) throw new Error('server has no first-admin link (database not fresh?)');
  return enrolWithLink(server.url, server.firstAdminUrl, { email: 'admin@exigent.test', displayName: 'First Admin' });
}

export async function invite(
  admin: Person,
  input: { email: string; displayName: string; role: string; agencyId: string | null },
): Promise<Person> {
  const res = await admin.client.post('/api/v1/invitations', input);
  expect(res.status, res.text).toBe(201);
  return enrolWithLink(admin.client.baseUrl, res.body.url, {}, admin.client.origin);
}

/** Signs in again with the person's passkey from a brand-new client (a new browser). */
export async function login(person: Person): Promise<ApiClient> {
  const client = person.client.fresh();
  const begin = await client.post('/api/v1/auth/login/options');
  expect(begin.status, begin.text).toBe(200);
  const response = await person.authenticator.getAssertion(begin.body.options);
  const done = await client.post('/api/v1/auth/login/complete', { challengeId: begin.body.challengeId, response });
  expect(done.status, done.text).toBe(200);
  return client;
}

export interface Directory {
  agencies: { policeA: string; policeB: string; ncbA: string; ncbB: string; oversight: string };
}

/** Two countries (UA requesting, PL requested), a police force and an NCB in each, and an oversight office. */
export async function seedDirectory(admin: Person): Promise<Directory> {
  for (const country of [
    { code: 'UA', name: 'Ukraine' },
    { code: 'PL', name: 'Poland' },
  ]) {
    const res = await admin.client.post('/api/v1/countries', country);
    expect(res.status, res.text).toBe(201);
  }
  const agency = async (name: string, countryCode: string, kind: string) => {
    const res = await admin.client.post('/api/v1/agencies', { name, countryCode, kind, dutyEmail: kind === 'ncb' ? `duty-${countryCode.toLowerCase()}@ncb.test` : null });
    expect(res.status, res.text).toBe(201);
    return res.body.id as string;
  };
  return {
    agencies: {
      policeA: await agency('National Police of Ukraine', 'UA', 'police'),
      policeB: await agency('Polish Police', 'PL', 'police'),
      ncbA: await agency('NCB Kyiv', 'UA', 'ncb'),
      ncbB: await agency('NCB Warsaw', 'PL', 'ncb'),
      oversight: await agency('Oversight Office', 'UA', 'oversight'),
    },
  };
}

/** The people most tests need, each in the agency of {@link seedDirectory} that their role belongs to. */
const CAST = {
  anna: { email: 'anna@police.ua', displayName: 'Anna', role: 'investigator', agency: 'policeA' },
  olga: { email: 'olga@police.ua', displayName: 'Olga', role: 'investigator', agency: 'policeA' },
  piotr: { email: 'piotr@police.pl', displayName: 'Piotr', role: 'investigator', agency: 'policeB' },
  compliance: { email: 'c@oversight.ua', displayName: 'Compliance', role: 'compliance', agency: 'oversight' },
  ncbUa: { email: 'officer@ncb.ua', displayName: 'NCB officer UA', role: 'ncb_officer', agency: 'ncbA' },
} as const;

/** Invites and enrols the named members of the cast, in the order given. */
export async function inviteCast<K extends keyof typeof CAST>(admin: Person, directory: Directory, ...names: K[]): Promise<Record<K, Person>> {
  const people = {} as Record<K, Person>;
  for (const name of names) {
    const { agency, ...member } = CAST[name];
    people[name] = await invite(admin, { ...member, agencyId: directory.agencies[agency] });
  }
  return people;
}
