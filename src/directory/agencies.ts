/** @module Agencies (police, Interpol NCB, oversight) and the rule of one NCB per country. */
import { and, asc, eq } from 'drizzle-orm';
import { Conflict, NotFound } from '../errors';
import type { Platform } from '../platform';
import { agencies, countries, type AgencyKind } from './tables';

export interface Agency {
  id: string;
  name: string;
  countryCode: string;
  kind: AgencyKind;
  dutyEmail: string | null;
}

export interface CreateAgencyInput {
  name: string;
  countryCode: string;
  kind: AgencyKind;
  dutyEmail?: string | null;
}

export async function listAgencies(
  { database }: Pick<Platform, 'database'>,
  filter: { countryCode?: string; kind?: AgencyKind } = {},
): Promise<Agency[]> {
  const conditions = [
    filter.countryCode ? eq(agencies.countryCode, filter.countryCode) : undefined,
    filter.kind ? eq(agencies.kind, filter.kind) : undefined,
  ];
  return database.db
    .select({ id: agencies.id, name: agencies.name, countryCode: agencies.countryCode, kind: agencies.kind, dutyEmail: agencies.dutyEmail })
    .from(agencies)
    .where(and(...conditions))
    .orderBy(asc(agencies.countryCode), asc(agencies.name));
}

export async function findAgency({ database }: Pick<Platform, 'database'>, id: string): Promise<Agency | undefined> {
  const [row] = await database.db.select().from(agencies).where(eq(agencies.id, id));
  return row && { id: row.id, name: row.name, countryCode: row.countryCode, kind: row.kind, dutyEmail: row.dutyEmail };
}

export async function createAgency(
  { database, clock }: Pick<Platform, 'database' | 'clock'>,
  input: CreateAgencyInput,
): Promise<Agency> {
  const countryCode = input.countryCode.toUpperCase();
  // Ensure the country is known before referring to it.
  const [country] = await database.db.select().from(countries).where(eq(countries.code, countryCode));
  if (!country) throw new NotFound(`Country ${countryCode} is not registered; create it first`, 'countryCode');
  // Ensure the one-NCB-per-country rule (also enforced by a unique index) with a readable message.
  if (input.kind === 'ncb') {
    const [ncb] = await listAgencies({ database }, { countryCode, kind: 'ncb' });
    if (ncb) throw new Conflict(`${countryCode} already has an NCB agency: "${ncb.name}"`, 'kind');
  }
  const [sameName] = await database.db
    .select()
    .from(agencies)
    .where(and(eq(agencies.countryCode, countryCode), eq(agencies.name, input.name)));
  if (sameName) throw new Conflict(`An agency named "${input.name}" already exists in ${countryCode}`, 'name');
  const agency: Agency = {
    id: crypto.randomUUID(),
    name: input.name,
    countryCode,
    kind: input.kind,
    dutyEmail: input.dutyEmail ?? null,
  };
  await database.batch([database.db.insert(agencies).values({ ...agency, createdAt: clock.now() })]);
  return agency;
}

export async function setAgencyDutyEmail(
  { database }: Pick<Platform, 'database'>,
  input: { agencyId: string; dutyEmail: string | null },
): Promise<Agency> {
  const agency = await findAgency({ database }, input.agencyId);
  if (!agency) throw new NotFound(`Agency ${input.agencyId} does not exist`);
  await database.batch([database.db.update(agencies).set({ dutyEmail: input.dutyEmail }).where(eq(agencies.id, agency.id))]);
  return { ...agency, dutyEmail: input.dutyEmail };
}
