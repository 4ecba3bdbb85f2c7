import { classifyAcsUrl } from '../saml/acs.js';
import { parseSamlResponse } from '../saml/assertion.js';
import type { Authenticator, AuthenticateOptions, CapturedAssertion } from '../login/capture.js';
import { InteractionRequiredError } from '../login/capture.js';
import { openCookieJar } from '../login/cookie-jar.js';
import { createPageFetcher, type PageFetcher, type PageRequest } from '../login/form-http.js';
import type { IdpProfile, PluginSetting } from '../settings/schema.js';
import { describeError } from '../support/errors.js';
import type { Logger } from '../support/logger.js';
import { PLUGIN_API_VERSION, type PluginHttpResponse, type PluginQuestion, type SignInContext } from './api.js';
import { moduleEntry, pluginLocation } from './locate.js';
import { createModulePlugin, type ModulePlugin } from './module-plugin.js';
import { PluginError } from './plugin-error.js';
import type { LaunchPluginProcess } from './plugin-process.js';
import { commandFailure, runPluginCommand } from './run-command.js';
import { checkCommandTrusted, checkModuleTrusted } from './trust.js';

const DEFAULT_ACS_URL = 'https://signin.aws.amazon.com/saml';
/** A sign-in command that asks the person itself (on /dev/tty) needs their time; a silent one does not. */
const COMMAND_TIMEOUT_S = { interactive: 300, silent: 30 };
const MODULE_TIMEOUT_S = 30;
/** What `cloudtoken` itself exits with when the IdP wants the user: a sign-in command says the same. */
const EXIT_INTERACTION_REQUIRED = 3;

export interface SignInSourceDeps {
  setting: PluginSetting;
  profile: IdpProfile;
  pluginsDir: string;
  /** The profile's IdP cookies (0600), kept by Cloudtoken: the plugin's HTTP goes through them. */
  cookieJarPath: string;
  username: string | undefined;
  /** Asks the person; absent where no one can be asked (then an interactive sign-in's prompt fails). */
  prompt: ((question: PluginQuestion) => Promise<string>) | undefined;
  launch: LaunchPluginProcess;
  env: Record<string, string>;
  uid: number | undefined;
  region: string | undefined;
  fetch?: typeof fetch;
  logger: Logger;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badOutput(name: string, what: string): PluginError {
  return new PluginError('PLUGIN_BAD_OUTPUT', `The sign-in plugin "${name}" ${what}`);
}

/** A plugin's answer, checked as strictly as a captured form POST: a real SAMLResponse for an AWS endpoint. */
export function readSignInResult(name: string, value: unknown): CapturedAssertion {
  if (!isRecord(value)) throw badOutput(name, `returned ${value === null ? 'nothing' : typeof value}, not a sign-in result ({ type: 'assertion', … } or { type: 'interaction-required' }).`);
  if (value.type === 'interaction-required') {
    throw new InteractionRequiredError(typeof value.message === 'string' && value.message ? value.message : 'Your identity provider wants you to sign in again.');
  }
  if (value.type !== 'assertion' || typeof value.samlResponse !== 'string') throw badOutput(name, 'returned neither an assertion (type "assertion" with a samlResponse) nor "interaction-required".');
  const acsUrl = typeof value.acsUrl === 'string' ? value.acsUrl : DEFAULT_ACS_URL;
  if (!classifyAcsUrl(acsUrl)) throw badOutput(name, `gave ${acsUrl} as where the assertion goes, which is not an AWS SAML endpoint.`);
  try {
    parseSamlResponse(value.samlResponse, { allowExpired: true });
  } catch (error) {
    throw badOutput(name, `returned something that is not a usable SAMLResponse: ${describeError(error)}`);
  }
  return { samlResponse: value.samlResponse.trim(), relayState: typeof value.relayState === 'string' ? value.relayState : undefined, acsUrl };
}

/** A sign-in command prints the base64 SAMLResponse (or a JSON sign-in result) on its standard output. */
function readCommandOutput(name: string, stdout: string): CapturedAssertion {
  const text = stdout.trim();
  if (text === '') throw badOutput(name, 'printed nothing; it must print the SAMLResponse on its standard output.');
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw badOutput(name, 'printed something that starts like JSON but is not.');
    }
    return readSignInResult(name, parsed);
  }
  return readSignInResult(name, { type: 'assertion', samlResponse: text });
}

function pageRequest(name: string, raw: unknown): PageRequest {
  if (!isRecord(raw) || typeof raw.url !== 'string') throw badOutput(name, 'made an HTTP request without a url.');
  const method = raw.method === undefined ? 'GET' : raw.method;
  if (method !== 'GET' && method !== 'POST') throw badOutput(name, `made an HTTP request with method ${JSON.stringify(method)}; only GET and POST are offered.`);
  const request: PageRequest = { url: raw.url, method };
  if (typeof raw.fromUrl === 'string') request.fromUrl = raw.fromUrl;
  if (isRecord(raw.form)) {
    request.body = new URLSearchParams(Object.entries(raw.form).map(([k, v]) => [k, String(v)])).toString();
    request.contentType = 'application/x-www-form-urlencoded';
  } else if (typeof raw.body === 'string') {
    request.body = raw.body;
    if (typeof raw.contentType === 'string') request.contentType = raw.contentType;
  }
  return request;
}

function question(name: string, raw: unknown): PluginQuestion {
  if (!isRecord(raw) || typeof raw.label !== 'string' || raw.label.trim() === '') throw badOutput(name, 'asked a question without a label.');
  return { label: raw.label.slice(0, 200), secret: raw.secret === true };
}

/**
 * A profile's sign-in through a sign-in-source plugin. A module plugin runs in its own process and reaches
 * the IdP only through Cloudtoken's page fetcher (the profile's cookie jar stays here); a command gets the
 * request as JSON on its standard input. Either answer is checked before the session sees it.
 */
export interface PluginAuthenticator extends Authenticator {
  /** Stops the plugin's process (the session is closing). */
  close(): void;
}

export function createPluginAuthenticator(deps: SignInSourceDeps): PluginAuthenticator {
  const { setting, profile, logger } = deps;
  const rule = { plugin: setting.name, uid: deps.uid, alsoOwnedBy: setting.command ? [0] : [] };
  const request = (interactive: boolean): Omit<SignInContext, 'http' | 'prompt' | 'log'> => ({
    apiVersion: PLUGIN_API_VERSION,
    profile: { id: profile.id, name: profile.name, signInUrl: profile.signInUrl, region: deps.region },
    interactive,
    username: deps.username,
    options: setting.options ?? {},
  });

  let plugin: Promise<ModulePlugin> | undefined;
  const loadModule = async () => {
    const path = pluginLocation(setting, deps.pluginsDir);
    await checkModuleTrusted(rule, deps.pluginsDir, path);
    return createModulePlugin({
      name: setting.name,
      kind: 'sign-in-source',
      entry: await moduleEntry(setting.name, path),
      launch: deps.launch,
      env: deps.env,
      cwd: deps.pluginsDir,
      timeoutMs: (setting.timeoutSeconds ?? MODULE_TIMEOUT_S) * 1000,
      logger,
    });
  };

  const viaModule = async (options: AuthenticateOptions, fetcher: PageFetcher): Promise<CapturedAssertion> => {
    // A load that failed (untrusted files) is tried again at the next sign-in: the user may have fixed them.
    plugin ??= loadModule().catch((error: unknown) => {
      plugin = undefined;
      throw error;
    });
    // What Cloudtoken did for the plugin and failed (an IdP request, a question), as the plugin may pass it on.
    let lastServiceError: unknown;
    const failedService = (error: unknown): never => {
      lastServiceError = error;
      throw error;
    };
    const services = {
      http: async (raw: unknown): Promise<PluginHttpResponse> => {
        const page = await fetcher.open(pageRequest(setting.name, raw)).catch(failedService);
        return { url: page.url, status: page.status, contentType: page.contentType, text: page.text };
      },
      prompt: async (raw: unknown) => {
        try {
          if (!options.interactive) throw new InteractionRequiredError(`The sign-in plugin "${setting.name}" asked a question during a silent sign-in.`);
          if (!deps.prompt) throw new PluginError('PLUGIN_FAILED', `The sign-in plugin "${setting.name}" asked a question, and this front end has no way to ask it.`);
          return await deps.prompt(question(setting.name, raw));
        } catch (error) {
          return failedService(error);
        }
      },
    };
    try {
      const value = await (await plugin).call('signIn', { context: request(options.interactive) }, services);
      return readSignInResult(setting.name, value);
    } catch (error) {
      // The plugin passed on such a failure: the session judges that one (network: retry; the person's Cancel: "Cancelled.").
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      if (code !== undefined && code === (lastServiceError as { code?: unknown } | undefined)?.code) throw lastServiceError;
      throw error;
    }
  };

  const viaCommand = async (options: AuthenticateOptions): Promise<CapturedAssertion> => {
    const command = setting.command ?? [];
    await checkCommandTrusted(rule, command);
    const timeout = setting.timeoutSeconds ?? (options.interactive ? COMMAND_TIMEOUT_S.interactive : COMMAND_TIMEOUT_S.silent);
    const outcome = await runPluginCommand({ plugin: setting.name, command, input: `${JSON.stringify(request(options.interactive))}\n`, env: deps.env, cwd: deps.pluginsDir, timeoutMs: timeout * 1000, logger });
    if (outcome.code === EXIT_INTERACTION_REQUIRED) throw new InteractionRequiredError(`The sign-in plugin "${setting.name}" says your identity provider wants you to sign in again.`);
    const failure = commandFailure(setting.name, outcome);
    if (failure) throw failure;
    return readCommandOutput(setting.name, outcome.stdout);
  };

  const openJar = () => openCookieJar({ path: deps.cookieJarPath, logger });
  return {
    async authenticate(options) {
      if (setting.command) return viaCommand(options);
      const jar = await openJar();
      const fetcher = createPageFetcher({ jar, fetch: deps.fetch ?? fetch, maxRedirects: 20, timeoutMs: 30_000, signal: options.signal, logger });
      try {
        return await viaModule(options, fetcher);
      } finally {
        await jar.save().catch((error: unknown) => logger.warn('could not save the sign-in session', { error }));
      }
    },
    async signOut() {
      await (await openJar()).clear();
    },
    close: () => void plugin?.then((p) => p.close(), () => undefined),
  };
}
