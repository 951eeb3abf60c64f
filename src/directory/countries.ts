/** @module Countries (ISO 3166-1 alpha-2) known to this installation. */
import { asc, eq } from 'drizzle-orm';
import { Conflict } from '../errors';
import type { Platform } from '../platform';
import { countries } from './tables';

export interface Country {
  code: string;
  name: string;
}

export async function listCountries({ database }: Pick<Platform, 'database'>): Promise<Country[]> {
  return database.db.select().from(countries).orderBy(asc(countries.code));
}

export async function createCountry({ database }: Pick<Platform, 'database'>, input: Country): Promise<Country> {
  const code = input.code.toUpperCase();
  const existing = await database.db.select().from(countries).where(eq(countries.code, code));
  if (existing.length > 0) throw new Conflict(`Country ${code} already exists`, 'code');
  await database.batch([database.db.insert(countries).values({ code, name: input.name })]);
  return { code, name: input.name };
}
