/** @module The acting user, as established by the session: beside the roles it carries, so every domain can take one. */
import type { Role } from './tables';

export interface Actor {
  userId: string;
  role: Role;
  agencyId: string | null;
  countryCode: string | null;
}
