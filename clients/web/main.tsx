/** @jsxImportSource hono/jsx/dom */
/** @module The web app's entry: who is signed in, their device for E2E messaging, and which page to show. */
import { render, useEffect, useState } from 'hono/jsx/dom';
import { ApiProblem } from '../sdk/api';
import { KeyTracker } from '../sdk/crypto';
import { Messenger } from '../sdk/messenger';
import { Layout } from './components/Layout';
import { Notice } from './components/ui';
import { api, openSocket, type Me } from './lib/api';
import { loadOrRegisterDevice } from './lib/deviceStore';
import { startInbox } from './lib/inbox';
import { navigate, usePath } from './lib/router';
import { AccountPage } from './pages/Account';
import { AdminPage } from './pages/Admin';
import { CasePage } from './pages/Case';
import { ContactPage } from './pages/Contact';
import { EnrolPage } from './pages/Enrol';
import { FormalRequestsPage } from './pages/FormalRequests';
import { InvestigatorHome } from './pages/InvestigatorHome';
import { LoginPage } from './pages/Login';
import { NcbInbox } from './pages/NcbInbox';
import { NewContactPage } from './pages/NewContact';
import { ReviewQueue } from './pages/ReviewQueue';
import { StatisticsPage } from './pages/Statistics';

const HOME: Record<Me['role'], string> = { investigator: '/', ncb_officer: '/inbox', compliance: '/review', admin: '/admin' };

/** Investigators' browsers hold device keys; the key tracker (public keys only) survives reloads for key-change warnings. */
async function startMessenger(me: Me): Promise<Messenger> {
  const device = await loadOrRegisterDevice(api, me.id);
  const trackerKey = `exigent.keys.${me.id}`;
  const tracker = new KeyTracker(JSON.parse(localStorage.getItem(trackerKey) ?? '{}') as Record<string, string[]>);
  const messenger = new Messenger(api, device, { openSocket, keyTracker: tracker });
  const observe = tracker.observe.bind(tracker);
  tracker.observe = (userId, keys) => {
    const change = observe(userId, keys);
    localStorage.setItem(trackerKey, JSON.stringify(tracker.toJSON()));
    return change;
  };
  startInbox(messenger);
  return messenger;
}

function App() {
  const path = usePath();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [messenger, setMessenger] = useState<Messenger | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loadMe = async () => {
    try {
      const user = await api.get<Me>('/me');
      if (user.role === 'investigator') setMessenger(await startMessenger(user));
      setMe(user);
    } catch (e) {
      if (e instanceof ApiProblem && e.status === 401) setMe(null);
      else setError(e instanceof Error ? e.message : String(e));
    }
  };
  useEffect(() => {
    if (path !== '/enrol') void loadMe();
  }, []);
  useEffect(() => {
    if (me && (path === '/login' || (path === '/' && me.role !== 'investigator'))) navigate(HOME[me.role]);
    if (me === null && path !== '/login' && path !== '/enrol') navigate('/login');
  }, [me, path]);

  if (path === '/enrol') return <EnrolPage onDone={() => void loadMe().then(() => navigate('/'))} />;
  if (error) return <Notice kind="error">{error}</Notice>;
  if (me === undefined) return <p class="boot">Loading Exigent…</p>;
  if (me === null) return <LoginPage onDone={() => void loadMe()} />;

  const contact = /^\/contacts\/([^/]+)$/.exec(path);
  const reviewCase = /^\/review\/([^/]+)$/.exec(path);
  let page;
  if (path === '/account') page = <AccountPage me={me} messenger={messenger} />;
  else if (me.role === 'investigator' && messenger && contact) page = <ContactPage me={me} id={contact[1]!} messenger={messenger} />;
  else if (me.role === 'investigator' && path === '/new') page = <NewContactPage me={me} />;
  else if (me.role === 'investigator') page = <InvestigatorHome />;
  else if (me.role === 'ncb_officer' && path === '/formal-requests') page = <FormalRequestsPage />;
  else if ((me.role === 'ncb_officer' || me.role === 'compliance') && reviewCase) page = <CasePage me={me} id={reviewCase[1]!} />;
  else if ((me.role === 'ncb_officer' || me.role === 'compliance') && path === '/review') page = <ReviewQueue me={me} />;
  else if (me.role === 'ncb_officer') page = <NcbInbox />;
  else if (me.role === 'compliance' && path === '/statistics') page = <StatisticsPage />;
  else if (me.role === 'compliance') page = <ReviewQueue me={me} />;
  else page = <AdminPage />;
  return (
    <Layout me={me} path={path}>
      {page}
    </Layout>
  );
}

render(<App />, document.getElementById('app')!);
