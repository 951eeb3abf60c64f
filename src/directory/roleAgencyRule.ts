/** @module Which kind of agency each role must belong to (an NCB officer works at an NCB, and so on). */
import { Invalid } from '../errors';
import type { AgencyKind, Role } from './tables';

const REQUIRED_AGENCY_KIND: Record<Role, AgencyKind | null> = {
  admin: null,
  investigator: 'police',
  ncb_officer: 'ncb',
  compliance: 'oversight',
};

/** Throws `Invalid` naming the expected agency kind when `role` cannot belong to `agency`. */
export function assertRoleFitsAgency(role: Role, agency: { kind: AgencyKind; name: string } | undefined): void {
  const required = REQUIRED_AGENCY_KIND[role];
  if (required === null) return;
  if (!agency) throw new Invalid(`Role ${role} requires an agency of kind ${required}`, 'agencyId');
  if (agency.kind !== required) {
    throw new Invalid(`Role ${role} requires an agency of kind ${required}, but "${agency.name}" is ${agency.kind}`, 'agencyId');
  }
}
