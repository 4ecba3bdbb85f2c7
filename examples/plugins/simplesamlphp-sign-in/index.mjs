// @ts-check
/**
 * A Cloudtoken sign-in source (plugin API 1) for SimpleSAMLphp's user-name-and-password form: open the
 * IdP-initiated sign-in URL, fill in the login form when SimpleSAMLphp shows it, and hand Cloudtoken the
 * SAMLResponse that SimpleSAMLphp's next page would post to AWS. Cloudtoken runs the HTTP (the IdP's cookies
 * stay in its own jar) and asks the person; this module only reads pages.
 *
 * @typedef {import('cloudtoken/plugin-api').SignInSourcePlugin} SignInSourcePlugin
 * @typedef {import('cloudtoken/plugin-api').SignInContext} SignInContext
 */

/** @param {string} text */
const decode = (text) =>
  text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);/gi, (_, entity) => {
    const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    const lower = entity.toLowerCase();
    if (lower in named) return named[/** @type {keyof typeof named} */ (lower)];
    return String.fromCodePoint(lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10));
  });

/** @param {string} tag */
function attributes(tag) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const match of tag.matchAll(/([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) out[match[1].toLowerCase()] = decode(match[2] ?? match[3] ?? '');
  return out;
}

/** Every form of the page: its action (resolved) and its named inputs. @param {string} html @param {string} pageUrl */
function forms(html, pageUrl) {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map(([, open, body]) => {
    const action = new URL(attributes(open).action || pageUrl, pageUrl).href;
    /** @type {Record<string, string>} */
    const inputs = {};
    for (const [input] of body.matchAll(/<input\b[^>]*>/gi)) {
      const { name, value, type } = attributes(input);
      if (name && type !== 'submit') inputs[name] = value ?? '';
    }
    return { action, inputs };
  });
}

/** @type {SignInSourcePlugin} */
export default {
  apiVersion: 1,
  kind: 'sign-in-source',
  async signIn(context) {
    let page = await context.http.request({ url: context.profile.signInUrl });
    for (let step = 0; step < 3; step++) {
      const found = forms(page.text, page.url);
      const toAws = found.find((form) => 'SAMLResponse' in form.inputs);
      if (toAws) {
        return { type: 'assertion', samlResponse: toAws.inputs.SAMLResponse, relayState: toAws.inputs.RelayState, acsUrl: toAws.action };
      }
      const login = found.find((form) => 'password' in form.inputs && 'AuthState' in form.inputs);
      if (!login) throw new Error(`SimpleSAMLphp showed no login form at ${new URL(page.url).host} (HTTP ${page.status}).`);
      if (step > 0) throw new Error('SimpleSAMLphp did not accept the user name or password.');
      if (!context.interactive) return { type: 'interaction-required', message: 'SimpleSAMLphp wants you to sign in again.' };
      const host = new URL(page.url).host;
      const username = context.username ?? context.options.username ?? (await context.prompt({ label: `User name at ${host}` }));
      const password = await context.prompt({ label: `Password for ${username} at ${host}`, secret: true });
      context.log(`signing in as ${username}`);
      page = await context.http.request({ url: login.action, method: 'POST', form: { ...login.inputs, username, password }, fromUrl: page.url });
    }
    throw new Error('SimpleSAMLphp went on asking.');
  },
};
