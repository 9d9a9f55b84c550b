// A real OpenID Connect provider (the certified oidc-provider package) for the sign-in browser tests.
//
//   node provider.mjs PORT REDIRECT_URI
//
// Listens on 127.0.0.1:PORT with issuer http://127.0.0.1:PORT and one confidential client, whose id and secret come
// from $OIDC_CLIENT_ID and $OIDC_CLIENT_SECRET (the test makes them; nothing is committed). Four people can sign in
// through the provider's development login form by typing their login (viewer, editor, admin, or stranger,
// whom the dashboard's allow-list refuses); any other login is
// refused. The ID token carries email and email_verified, as Streamlit reads the identity from it.
import Provider from 'oidc-provider';

const [port, redirectUri] = process.argv.slice(2);
const clientId = process.env.OIDC_CLIENT_ID;
const clientSecret = process.env.OIDC_CLIENT_SECRET;
if (!port || !redirectUri || !clientId || !clientSecret) {
  console.error('usage: OIDC_CLIENT_ID=... OIDC_CLIENT_SECRET=... node provider.mjs PORT REDIRECT_URI');
  process.exit(2);
}

const people = {
  viewer: { email: 'viewer@acme.example', name: 'Vera Viewer' },
  editor: { email: 'editor@acme.example', name: 'Ed Editor' },
  admin: { email: 'admin@acme.example', name: 'Ada Admin' },
  stranger: { email: 'stranger@elsewhere.example', name: 'Stan Stranger' }, // known here, not on the allow-list
};

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    },
  ],
  async findAccount(ctx, id) {
    const person = people[id];
    if (!person) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: person.email, email_verified: true, name: person.name };
      },
    };
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Put the scopes' claims in the ID token, where Streamlit (Authlib) reads the signed-in person from.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['flowgauge-test-provider-cookie-key'] },
});
// An unknown login is an error page from the provider, never a signed-in stranger.
provider.on('server_error', (ctx, error) => console.error(`server_error: ${error.message}`));

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
