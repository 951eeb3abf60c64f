/** @jsxImportSource hono/jsx/dom */
/** @module The page frame: header with the user's role and the navigation that role needs, then the page. */
import type { Child } from 'hono/jsx';
import type { Me } from '../lib/api';
import { api } from '../lib/api';
import { Link } from './ui';

const NAV: Record<Me['role'], Array<[string, string]>> = {
  investigator: [
    ['/', 'My contacts'],
    ['/new', 'Open urgent contact'],
  ],
  ncb_officer: [
    ['/inbox', 'Notifications'],
    ['/formal-requests', 'Formal requests'],
    ['/review', 'Contacts'],
  ],
  compliance: [
    ['/review', 'Review queue'],
    ['/statistics', 'Statistics & log'],
  ],
  admin: [['/admin', 'Administration']],
};

const ROLE_NAMES: Record<Me['role'], string> = { investigator: 'Investigator', ncb_officer: 'NCB officer', compliance: 'Compliance', admin: 'Administrator' };

export function Layout(props: { me: Me; path: string; children: Child }) {
  const { me } = props;
  return (
    <div class="frame">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="brand">
          <span class="logo" aria-hidden="true">
            ◆
          </span>
          Exigent
        </div>
        <nav aria-label="Main">
          {NAV[me.role].map(([href, label]) => (
            <Link href={href} class={props.path === href ? 'active' : ''}>
              {label}
            </Link>
          ))}
        </nav>
        <div class="who">
          <Link href="/account">
            {me.displayName}
            <span class="role">
              {ROLE_NAMES[me.role]}
              {me.countryCode ? ` · ${me.countryCode}` : ''}
            </span>
          </Link>
          <button
            class="link"
            onClick={async () => {
              await api.post('/auth/logout').catch(() => undefined);
              location.assign('/login');
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabindex={-1}>
        {props.children}
      </main>
    </div>
  );
}
