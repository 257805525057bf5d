import Keycloak from 'keycloak-js';

// Sign-in with the realm's public client: authorization code with PKCE (S256), tokens kept in
// memory only and renewed before they expire. The tenant and the roles come from the token.
let keycloak;

export const ROLES = ['strata-admin', 'strata-marketer', 'strata-analyst', 'strata-viewer'];

export async function signIn() {
  const response = await fetch('console/config.json');
  if (!response.ok) throw new Error(`console/config.json: HTTP ${response.status}`);
  const config = await response.json();
  keycloak = new Keycloak({ url: config.url, realm: config.realm, clientId: config.clientId });
  await keycloak.init({
    onLoad: 'login-required',
    pkceMethod: 'S256',
    checkLoginIframe: false,
    responseMode: 'query',
  });
  return user();
}

export function user() {
  const token = keycloak?.tokenParsed ?? {};
  const roles = (token.realm_access?.roles ?? []).filter((r) => ROLES.includes(r));
  return {
    name: token.preferred_username ?? token.sub,
    tenant: token.tenant ?? '',
    roles,
  };
}

/** A token valid for at least 30 more seconds. */
export async function accessToken() {
  try {
    await keycloak.updateToken(30);
  } catch {
    keycloak.login();
    throw new Error('signed out');
  }
  return keycloak.token;
}

export function signOut() {
  keycloak.logout({ redirectUri: window.location.href.split('#')[0] });
}

/** What a role may do; the gateway refuses the rest anyway. */
export function permissions(roles) {
  const has = (...r) => r.some((x) => roles.includes(x));
  return {
    edit: has('strata-marketer', 'strata-admin'),
    analyze: has('strata-analyst', 'strata-marketer', 'strata-admin'),
    admin: has('strata-admin'),
  };
}
