/** @module Opening urgent contacts the way the web app does: draft → signed justification → passkey step-up → open. */
import { expect } from 'vitest';
import type { ApiResponse } from './apiClient';
import type { Person } from './people';

export interface Draft {
  grounds: string[];
  narrative: string;
  caseReference: string;
  offenceCategory: string;
  requestedCountry: string;
  counterpartUserIds: string[];
  soughtInformation: string;
  handlingCode: string;
  handlingConditions?: string | null;
  legalInstrument?: string;
}

export function draftFor(counterpart: Person, overrides: Partial<Draft> = {}): Draft {
  return {
    grounds: ['threat_to_life'],
    narrative: 'A kidnapped child is being moved across the border tonight; waiting for MLA would put her life at risk.',
    caseReference: 'UA-2026-0042',
    offenceCategory: 'Kidnapping',
    requestedCountry: counterpart.user.countryCode!,
    counterpartUserIds: [counterpart.user.id],
    soughtInformation: 'Subscriber data and last known location for the phone number used by the suspect.',
    handlingCode: 'H1',
    ...overrides,
  };
}

/** Prepares, signs with the investigator's passkey and opens; returns the final response. */
export async function openContact(investigator: Person, draft: Draft): Promise<ApiResponse> {
  const prepared = await investigator.client.post('/api/v1/urgent-contacts/options', draft);
  expect(prepared.status, prepared.text).toBe(200);
  const response = await investigator.authenticator.getAssertion(prepared.body.options);
  return investigator.client.post('/api/v1/urgent-contacts', { challengeId: prepared.body.challengeId, response });
}
