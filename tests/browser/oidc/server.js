// A real OpenID Connect provider for the browser tests: panva's oidc-provider, installed from the npm
// registry by package name (package.json), listening on 127.0.0.1 only. Its development sign-in form
// accepts any name; the person's groups claim comes from GROUPS (JSON: {"name": ["group", ...]}).
import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const groups = JSON.parse(process.env.GROUPS || "{}");

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: [process.env.REDIRECT_URI],
      post_logout_redirect_uris: [],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["preferred_username", "given_name", "family_name"],
    groups: ["groups"],
  },
  scopes: ["openid", "email", "profile", "groups"],
  conformIdTokenClaims: false,
  cookies: { keys: ["test-only-cookie-key"] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: `${id}@example.com`,
          email_verified: true,
          preferred_username: id,
          given_name: id,
          family_name: "Tester",
          groups: groups[id] || [],
        };
      },
    };
  },
});
provider.proxy = false;
provider.listen(port, "127.0.0.1", () => console.log(`oidc-provider listening on ${issuer}`));
