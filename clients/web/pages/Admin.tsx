/** @jsxImportSource hono/jsx/dom */
/** @module Administration: invitations, users (disable, change role), countries and agencies with NCB duty addresses, webhooks. */
import { useEffect, useState } from 'hono/jsx';
import { api } from '../lib/api';
import { formErrors, noErrors, type FormErrors } from '../lib/fieldErrors';
import { Badge, Field, Notice, TableHead } from '../components/ui';

interface Agency {
  id: string;
  name: string;
  countryCode: string;
  kind: 'police' | 'ncb' | 'oversight';
  dutyEmail: string | null;
}
interface User {
  id: string;
  displayName: string;
  email: string;
  role: string;
  status: string;
  agencyName: string | null;
}

const ROLE_KIND: Record<string, Agency['kind'] | null> = { investigator: 'police', ncb_officer: 'ncb', compliance: 'oversight', admin: null };

function useForm<T extends Record<string, string>>(initial: T) {
  const [values, setValues] = useState<T>(initial);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const bind = (name: keyof T & string) => ({
    id: name,
    value: values[name],
    onInput: (e: InputEvent) => setValues({ ...values, [name]: (e.target as HTMLInputElement).value }),
    onChange: (e: Event) => setValues({ ...values, [name]: (e.target as HTMLInputElement).value }),
  });
  return { values, setValues, errors, setErrors, bind };
}

export function AdminPage() {
  const [agencies, setAgencies] = useState<Agency[]>([]);
  const [countries, setCountries] = useState<Array<{ code: string; name: string }>>([]);
  const [users, setUsers] = useState<User[]>([]);
  const [webhooks, setWebhooks] = useState<Array<{ id: string; agencyId: string; url: string; disabledAt: number | null }>>([]);
  const [flash, setFlash] = useState<{ kind: 'success' | 'error'; text: string; link?: string } | null>(null);
  const reload = async () => {
    setAgencies(await api.get<Agency[]>('/agencies'));
    setCountries(await api.get<Array<{ code: string; name: string }>>('/countries'));
    setUsers(await api.get<User[]>('/users'));
    setWebhooks((await api.get<{ endpoints: typeof webhooks }>('/webhooks')).endpoints);
  };
  useEffect(() => {
    void reload();
  }, []);

  const invite = useForm({ email: '', displayName: '', role: 'investigator', agencyId: '' });
  const country = useForm({ code: '', name: '' });
  const agency = useForm({ name: '', countryCode: '', kind: 'police', dutyEmail: '' });
  const hook = useForm({ agencyId: '', url: '' });

  const run = async (form: { setErrors: (e: FormErrors) => void }, work: () => Promise<void>) => {
    form.setErrors(noErrors);
    try {
      await work();
      await reload();
    } catch (e) {
      form.setErrors(formErrors(e));
    }
  };
  const agencyName = (id: string) => agencies.find((a) => a.id === id)?.name ?? id;
  const fitting = agencies.filter((a) => a.kind === ROLE_KIND[invite.values.role]);

  return (
    <section>
      <h1>Administration</h1>
      {flash && (
        <Notice kind={flash.kind}>
          {flash.text}
          {flash.link && (
            <p>
              <code class="invite-link" data-testid="invitation-link">
                {flash.link}
              </code>
            </p>
          )}
        </Notice>
      )}
      <div class="grid two">
        <form
          class="panel"
          aria-label="Invite a user"
          novalidate
          onSubmit={(e: Event) => {
            e.preventDefault();
            void run(invite, async () => {
              const link = await api.post<{ url: string }>('/invitations', { ...invite.values, agencyId: invite.values.agencyId || null });
              setFlash({ kind: 'success', text: `Invitation for ${invite.values.email} created. Send this link through a trusted channel; it works once.`, link: link.url });
              invite.setValues({ email: '', displayName: '', role: invite.values.role, agencyId: '' });
            });
          }}
        >
          <h2>Invite a user</h2>
          {invite.errors.general && <Notice kind="error">{invite.errors.general}</Notice>}
          <Field label="E-mail" name="email" error={invite.errors.fields.email}>
            <input type="email" {...invite.bind('email')} />
          </Field>
          <Field label="Name" name="displayName" error={invite.errors.fields.displayName}>
            <input {...invite.bind('displayName')} />
          </Field>
          <Field label="Role" name="role" error={invite.errors.fields.role}>
            <select {...invite.bind('role')}>
              <option value="investigator">Investigator</option>
              <option value="ncb_officer">NCB officer</option>
              <option value="compliance">Compliance</option>
              <option value="admin">Administrator</option>
            </select>
          </Field>
          {ROLE_KIND[invite.values.role] && (
            <Field label="Agency" name="agencyId" error={invite.errors.fields.agencyId}>
              <select {...invite.bind('agencyId')}>
                <option value="">Choose…</option>
                {fitting.map((a) => (
                  <option value={a.id}>
                    {a.name} ({a.countryCode})
                  </option>
                ))}
              </select>
            </Field>
          )}
          <button type="submit" class="primary">
            Create invitation link
          </button>
        </form>
        <div class="panel">
          <h2>Countries and agencies</h2>
          <form
            class="row"
            aria-label="Add a country"
            novalidate
            onSubmit={(e: Event) => {
              e.preventDefault();
              void run(country, async () => {
                await api.post('/countries', { code: country.values.code.toUpperCase(), name: country.values.name });
                country.setValues({ code: '', name: '' });
              });
            }}
          >
            <Field label="Country code" name="code" error={country.errors.fields.code}>
              <input size={3} maxlength={2} {...country.bind('code')} />
            </Field>
            <Field label="Country name" name="name" error={country.errors.fields.name ?? country.errors.general ?? undefined}>
              <input {...country.bind('name')} />
            </Field>
            <button type="submit">Add country</button>
          </form>
          <form
            aria-label="Add an agency"
            novalidate
            onSubmit={(e: Event) => {
              e.preventDefault();
              void run(agency, async () => {
                await api.post('/agencies', { ...agency.values, dutyEmail: agency.values.dutyEmail || null });
                agency.setValues({ name: '', countryCode: agency.values.countryCode, kind: 'police', dutyEmail: '' });
              });
            }}
          >
            {agency.errors.general && <Notice kind="error">{agency.errors.general}</Notice>}
            <div class="row">
              <Field label="Agency name" name="agencyName" error={agency.errors.fields.name}>
                <input {...agency.bind('name')} id="agencyName" />
              </Field>
              <Field label="Country" name="countryCode" error={agency.errors.fields.countryCode}>
                <select {...agency.bind('countryCode')}>
                  <option value="">Choose…</option>
                  {countries.map((c) => (
                    <option value={c.code}>{c.name}</option>
                  ))}
                </select>
              </Field>
              <Field label="Kind" name="kind" error={agency.errors.fields.kind}>
                <select {...agency.bind('kind')}>
                  <option value="police">Police</option>
                  <option value="ncb">Interpol NCB</option>
                  <option value="oversight">Oversight</option>
                </select>
              </Field>
            </div>
            {agency.values.kind === 'ncb' && (
              <Field label="NCB duty e-mail" name="dutyEmail" error={agency.errors.fields.dutyEmail}>
                <input type="email" {...agency.bind('dutyEmail')} />
              </Field>
            )}
            <button type="submit">Add agency</button>
          </form>
          <table>
            <tbody>
              {agencies.map((a) => (
                <tr>
                  <td>{a.name}</td>
                  <td>{a.countryCode}</td>
                  <td>
                    <Badge>{a.kind}</Badge>
                  </td>
                  <td class="small">{a.kind === 'ncb' ? (a.dutyEmail ?? 'no duty e-mail') : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <div class="panel">
        <h2>Users</h2>
        <table>
          <TableHead columns={['Name', 'E-mail', 'Role', 'Agency', 'Status']} actions />
          <tbody>
            {users.map((u) => (
              <tr>
                <td>{u.displayName}</td>
                <td>{u.email}</td>
                <td>{u.role.replace('_', ' ')}</td>
                <td>{u.agencyName ?? '—'}</td>
                <td>
                  <Badge tone={u.status === 'active' ? 'good' : 'bad'}>{u.status}</Badge>
                </td>
                <td class="actions">
                  {u.status === 'active' && u.role !== 'admin' && <RoleEditor user={u} agencies={agencies} onSaved={reload} onError={(text) => setFlash({ kind: 'error', text })} />}
                  {u.status === 'active' && (
                    <button
                      class="danger"
                      onClick={async () => {
                        const reason = prompt(`Disable ${u.displayName}? Reason:`);
                        if (!reason) return;
                        await api.post(`/users/${u.id}/disable`, { reason }).catch((e) => setFlash({ kind: 'error', text: formErrors(e).general ?? 'Failed' }));
                        await reload();
                      }}
                    >
                      Disable
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form
        class="panel"
        aria-label="Webhook endpoints"
        novalidate
        onSubmit={(e: Event) => {
          e.preventDefault();
          void run(hook, async () => {
            const created = await api.post<{ secret: string }>('/webhooks', hook.values);
            setFlash({ kind: 'success', text: `Webhook registered. Its signing secret is shown only now: ${created.secret}` });
            hook.setValues({ agencyId: '', url: '' });
          });
        }}
      >
        <h2>NCB webhooks</h2>
        {hook.errors.general && <Notice kind="error">{hook.errors.general}</Notice>}
        <div class="row">
          <Field label="Agency" name="hookAgency" error={hook.errors.fields.agencyId}>
            <select {...hook.bind('agencyId')} id="hookAgency">
              <option value="">Choose…</option>
              {agencies.filter((a) => a.kind === 'ncb').map((a) => (
                <option value={a.id}>{a.name}</option>
              ))}
            </select>
          </Field>
          <Field label="Endpoint URL" name="url" error={hook.errors.fields.url}>
            <input type="url" {...hook.bind('url')} />
          </Field>
          <button type="submit">Register</button>
        </div>
        <ul class="plain">
          {webhooks.map((w) => (
            <li>
              {agencyName(w.agencyId)} → {w.url} {w.disabledAt ? <Badge tone="bad">disabled</Badge> : (
                <button class="link" type="button" onClick={async () => {
                  await api.delete(`/webhooks/${w.id}`);
                  await reload();
                }}>
                  disable
                </button>
              )}
            </li>
          ))}
        </ul>
      </form>
    </section>
  );
}

/** Change a user's role; the agency list offers only agencies of the kind that role needs. */
function RoleEditor(props: { user: User; agencies: Agency[]; onSaved: () => Promise<void>; onError: (text: string) => void }) {
  const [role, setRole] = useState(props.user.role);
  const [agencyId, setAgencyId] = useState('');
  const kind = ROLE_KIND[role];
  const fitting = props.agencies.filter((a) => a.kind === kind);
  return (
    <span class="role-editor">
      <label class="sr-only" for={`role-${props.user.id}`}>
        Role of {props.user.displayName}
      </label>
      <select id={`role-${props.user.id}`} onChange={(e: Event) => setRole((e.target as HTMLSelectElement).value)}>
        {['investigator', 'ncb_officer', 'compliance', 'admin'].map((r) => (
          <option value={r} selected={r === role}>
            {r.replace('_', ' ')}
          </option>
        ))}
      </select>
      {kind && role !== props.user.role && (
        <select aria-label="New agency" onChange={(e: Event) => setAgencyId((e.target as HTMLSelectElement).value)}>
          <option value="">Agency…</option>
          {fitting.map((a) => (
            <option value={a.id}>{a.name}</option>
          ))}
        </select>
      )}
      {role !== props.user.role && (
        <button
          onClick={async () => {
            try {
              await api.request('PATCH', `/users/${props.user.id}/role`, { role, agencyId: kind ? agencyId || null : null });
              await props.onSaved();
            } catch (e) {
              props.onError(formErrors(e).general ?? Object.values(formErrors(e).fields)[0] ?? 'Failed');
            }
          }}
        >
          Save role
        </button>
      )}
    </span>
  );
}
