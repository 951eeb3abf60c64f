/** @module CLI commands for people: invite, list, disable, and a new first-admin link when every admin is locked out. */
import { z } from 'zod';
import { createFirstAdminEnrolment, createInvitation } from '../../../src/auth/enrolments';
import { disableUser } from '../../../src/auth/userAccess';
import { ROLES } from '../../../src/directory/tables';
import { listUsers } from '../../../src/directory/users';
import { DisplayNameSchema, FreeText } from '../../../src/http/schemas';
import { parseInput, requireString, withServices, type Command } from './command';

export const userCommands: Record<string, Command> = {
  invite: {
    summary: 'Invite a user; prints the single-use enrolment link',
    usage: 'invite --email <address> --name <display name> --role admin|investigator|ncb_officer|compliance [--agency <agency id>]',
    options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, agency: { type: 'string' } },
    async run({ env, values, print }) {
      const role = z.enum(ROLES).parse(requireString(values, 'role'));
      const link = await withServices(env, (s) =>
        createInvitation(s, {
          email: requireString(values, 'email'),
          displayName: parseInput(DisplayNameSchema, requireString(values, 'name'), '--name'),
          role,
          agencyId: typeof values.agency === 'string' ? values.agency : null,
          createdBy: 'operator-cli',
        }),
      );
      print(link.url);
      return 0;
    },
  },
  users: {
    summary: 'List users',
    usage: 'users',
    async run({ env, print }) {
      for (const u of await withServices(env, (s) => listUsers(s))) {
        print(`${u.id}  ${u.status.padEnd(8)} ${u.role.padEnd(12)} ${(u.countryCode ?? '--').padEnd(3)} ${u.email}  ${u.displayName}`);
      }
      return 0;
    },
  },
  disable: {
    summary: 'Disable a user (by e-mail or id); their sessions end at once',
    usage: 'disable <email|id> --reason <text>',
    options: { reason: { type: 'string' } },
    async run({ env, values, positionals, print }) {
      const [who] = positionals;
      if (!who) throw new Error('usage: disable <email|id> --reason <text>');
      const reason = parseInput(FreeText.min(3).max(500), requireString(values, 'reason'), '--reason');
      const user = await withServices(env, async (s) => {
        const target = (await listUsers(s)).find((u) => u.id === who || u.email === who.toLowerCase());
        if (!target) throw new Error(`no user ${who}`);
        return disableUser(s, { userId: target.id, reason, actor: { userId: 'operator-cli', role: 'admin', agencyId: null, countryCode: null } });
      });
      print(`disabled ${user.email}`);
      return 0;
    },
  },
  'first-admin-link': {
    summary: 'Print a new first-admin enrolment link (for when every admin is locked out)',
    usage: 'first-admin-link',
    async run({ env, print }) {
      const link = await withServices(env, (s) => createFirstAdminEnrolment(s, { force: true }));
      print(link.url);
      print(`expires ${new Date(link.expiresAt).toISOString()}; single use`);
      return 0;
    },
  },
};
