// A real OpenID Connect provider for DualSpace's sign-in tests: node's oidc-provider
// (the certified implementation by panva), one confidential client, and accounts read
// from a JSON file at every look-up, so a test changes a user's claims by rewriting
// the file (the next sign-in sees them, as after a change in the real directory).
//
// Sign-in goes through oidc-provider's devInteractions: its built-in login form takes
// any account name (the password is not checked) and its consent form grants the scopes.
//
// Environment: OIDC_TEST_PORT, OIDC_TEST_CLIENT_ID, OIDC_TEST_CLIENT_SECRET,
// OIDC_TEST_REDIRECT_URI (comma-separated), OIDC_TEST_ACCOUNTS (path of the JSON file:
// {"dora": {"email": ..., "name": ..., "groups": [...]}, ...}).
// Prints "ready <issuer>" on stdout once it listens (tests/oidc_provider/__init__.py waits for it).

import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_TEST_PORT || 9400);
const issuer = `http://127.0.0.1:${port}`;
const accountsPath = process.env.OIDC_TEST_ACCOUNTS;

function readAccounts() {
  return JSON.parse(readFileSync(accountsPath, 'utf8'));
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.OIDC_TEST_CLIENT_ID,
      client_secret: process.env.OIDC_TEST_CLIENT_SECRET,
      redirect_uris: process.env.OIDC_TEST_REDIRECT_URI.split(','),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      // mozilla-django-oidc sends the secret in the form body by default.
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  // Scope -> claims. "groups" carries both roles and the managed city, as a directory's groups would.
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username', 'department'],
    groups: ['groups'],
  },
  // Each test run signs with fresh keys; cookies signed with a key made here.
  cookies: { keys: [process.env.OIDC_TEST_CLIENT_SECRET] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const account = readAccounts()[id];
    if (!account) {
      return undefined;
    }
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, email_verified: true, ...account };
      },
    };
  },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
