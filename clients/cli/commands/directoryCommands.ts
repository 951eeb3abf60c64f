/** @module CLI commands for the directory: countries, agencies, and loading a seed file. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { createAgency, listAgencies } from '../../../src/directory/agencies';
import { createCountry, listCountries } from '../../../src/directory/countries';
import { AGENCY_KINDS } from '../../../src/directory/tables';
import { NameText } from '../../../src/http/schemas';
import { parseInput, requireString, withServices, type Command } from './command';

// The same limits as POST /countries and POST /agencies.
const CountryName = NameText.min(2).max(100);
const AgencyName = NameText.min(2).max(200);

const SeedSchema = z.strictObject({
  countries: z.array(z.strictObject({ code: z.string().regex(/^[A-Z]{2}$/), name: CountryName })).default([]),
  agencies: z
    .array(z.strictObject({ name: AgencyName, countryCode: z.string().regex(/^[A-Z]{2}$/), kind: z.enum(AGENCY_KINDS), dutyEmail: z.email().optional() }))
    .default([]),
});

export const directoryCommands: Record<string, Command> = {
  'add-country': {
    summary: 'Register a country',
    usage: 'add-country <ISO code> <name>',
    async run({ env, positionals, print }) {
      const [code, ...name] = positionals;
      if (!code || name.length === 0) throw new Error('usage: add-country <ISO code> <name>');
      const country = await withServices(env, (s) => createCountry(s, { code, name: parseInput(CountryName, name.join(' '), '<name>') }));
      print(`country ${country.code} ${country.name}`);
      return 0;
    },
  },
  'add-agency': {
    summary: 'Create an agency',
    usage: 'add-agency --name <name> --country <code> --kind police|ncb|oversight [--duty-email <address>]',
    options: { name: { type: 'string' }, country: { type: 'string' }, kind: { type: 'string' }, 'duty-email': { type: 'string' } },
    async run({ env, values, print }) {
      const kind = z.enum(AGENCY_KINDS).parse(requireString(values, 'kind'));
      const agency = await withServices(env, (s) =>
        createAgency(s, {
          name: parseInput(AgencyName, requireString(values, 'name'), '--name'),
          countryCode: requireString(values, 'country'),
          kind,
          dutyEmail: typeof values['duty-email'] === 'string' ? values['duty-email'] : null,
        }),
      );
      print(`agency ${agency.id} ${agency.kind} ${agency.countryCode} ${agency.name}`);
      return 0;
    },
  },
  seed: {
    summary: 'Load countries and agencies from a JSON file (existing ones are skipped)',
    usage: 'seed <file.json>   e.g. {"countries":[{"code":"UA","name":"Ukraine"}],"agencies":[{"name":"NCB Kyiv","countryCode":"UA","kind":"ncb"}]}',
    async run({ env, positionals, print }) {
      const [file] = positionals;
      if (!file) throw new Error('usage: seed <file.json>');
      const seed = parseInput(SeedSchema, JSON.parse(readFileSync(file, 'utf8')));
      await withServices(env, async (s) => {
        const knownCountries = new Set((await listCountries(s)).map((c) => c.code));
        for (const country of seed.countries) {
          if (knownCountries.has(country.code)) continue;
          await createCountry(s, country);
          print(`country ${country.code} ${country.name}`);
        }
        const knownAgencies = new Set((await listAgencies(s)).map((a) => `${a.countryCode}/${a.name}`));
        for (const agency of seed.agencies) {
          if (knownAgencies.has(`${agency.countryCode}/${agency.name}`)) continue;
          const created = await createAgency(s, agency);
          print(`agency ${created.id} ${created.kind} ${created.countryCode} ${created.name}`);
        }
      });
      return 0;
    },
  },
  agencies: {
    summary: 'List agencies with their ids',
    usage: 'agencies',
    async run({ env, print }) {
      for (const a of await withServices(env, (s) => listAgencies(s))) print(`${a.id}  ${a.countryCode}  ${a.kind.padEnd(9)} ${a.name}`);
      return 0;
    },
  },
};
