import { useEffect, useMemo, useState } from 'react';
import { ROLES, permissions, signOut } from './auth.js';
import { LanguageContext, translate } from './i18n.js';
import { UserContext } from './ui.jsx';
import { Overview } from './pages/overview.jsx';
import { Profiles } from './pages/profiles.jsx';
import { Tags } from './pages/tags.jsx';
import { Segments } from './pages/segments.jsx';
import { Models } from './pages/models.jsx';
import { Insight } from './pages/insight.jsx';
import { Crowds } from './pages/crowds.jsx';
import { Journeys } from './pages/journeys.jsx';
import { Sources } from './pages/sources.jsx';

// Every screen is one click from the navigation; the route is the hash (#/segments/vip), so the
// gateway serves one page and a link can be shared.
const SCREENS = [
  { path: 'overview', label: 'Overview', icon: '◎', component: Overview },
  { path: 'profiles', label: 'Profiles', icon: '☺', component: Profiles },
  { path: 'tags', label: 'Tags', icon: '#', component: Tags },
  { path: 'segments', label: 'Segments', icon: '◐', component: Segments },
  { path: 'models', label: 'Models', icon: '▦', component: Models },
  { path: 'insight', label: 'Insight', icon: '◆', component: Insight },
  { path: 'crowds', label: 'Crowds', icon: '▲', component: Crowds },
  { path: 'journeys', label: 'Journeys', icon: '➜', component: Journeys },
  { path: 'sources', label: 'Sources', icon: '⇪', component: Sources },
];

function currentRoute() {
  const [screen, ...rest] = window.location.hash.replace(/^#\/?/, '').split('/');
  return { screen: screen || 'overview', rest: rest.map(decodeURIComponent) };
}

export function navigate(...parts) {
  window.location.hash = `#/${parts.map(encodeURIComponent).join('/')}`;
}

export function App({ user }) {
  const [route, setRoute] = useState(currentRoute);
  const [lang, setLang] = useState(() => localStorage.getItem('strata.lang') ?? (navigator.language?.startsWith('zh') ? 'zh' : 'en'));
  const [menu, setMenu] = useState(false);
  useEffect(() => {
    const on = () => {
      setRoute(currentRoute());
      setMenu(false);
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  useEffect(() => {
    localStorage.setItem('strata.lang', lang);
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  const t = (s) => translate(lang, s);
  const signedIn = useMemo(() => ({ ...user, can: permissions(user.roles) }), [user]);
  const screen = SCREENS.find((s) => s.path === route.screen) ?? SCREENS[0];
  const Screen = screen.component;
  return (
    <LanguageContext.Provider value={{ lang, setLang }}>
      <UserContext.Provider value={signedIn}>
        <div className={`shell ${menu ? 'menu-open' : ''}`}>
          <aside className="nav">
            <div className="brand">
              Strata <small>{t('Audience stratification')}</small>
            </div>
            <nav>
              {SCREENS.map((s) => (
                <a key={s.path} href={`#/${s.path}`} className={s === screen ? 'active' : ''} data-nav={s.path}>
                  <span className="icon">{s.icon}</span> {t(s.label)}
                </a>
              ))}
            </nav>
          </aside>
          <div className="main">
            <header className="top">
              <button className="menu-button" onClick={() => setMenu(!menu)} aria-label="menu">
                ☰
              </button>
              <h1>{t(screen.label)}</h1>
              <div className="who">
                <span data-testid="user">{user.name}</span>
                <span className="pill" data-testid="tenant" title={t('Tenant')}>
                  {user.tenant}
                </span>
                <span className="pill role" data-testid="role" title={t('Role')}>
                  {/* roles are composite (an admin holds all four): the highest names the user */}
                  {(ROLES.find((r) => user.roles.includes(r)) ?? '—').replace('strata-', '')}
                </span>
                {!signedIn.can.edit ? <span className="pill muted">{t('Read only')}</span> : null}
                <select value={lang} onChange={(e) => setLang(e.target.value)} aria-label={t('Language')} data-testid="language">
                  <option value="zh">中文</option>
                  <option value="en">English</option>
                </select>
                <button className="link" onClick={signOut}>
                  {t('Sign out')}
                </button>
              </div>
            </header>
            <main className="content" data-screen={screen.path}>
              <Screen route={route.rest} />
            </main>
          </div>
        </div>
      </UserContext.Provider>
    </LanguageContext.Provider>
  );
}
