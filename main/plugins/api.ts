/**
 * The plugin API, version 1: what Cloudtoken gives a plugin and what it expects back. This file is the
 * package's `cloudtoken/plugin-api` export (types, and the version number), and imports nothing, so a plugin
 * written against it needs nothing else of Cloudtoken. docs/plugins.md explains it; a change that would
 * break a plugin written for version 1 is a new version.
 *
 * Two kinds, each in two forms (an ES module in `<state folder>/plugins/`, or any command):
 * - a sign-in source obtains a SAMLResponse for an IdP profile;
 * - a credential handler is told when credentials are issued, refreshed or withdrawn, and when the session
 *   signs out.
 * A module plugin runs in a Node process of its own and gets only what its kind needs: a sign-in source never
 * sees AWS credentials, a handler never sees the IdP's cookies.
 */

export const PLUGIN_API_VERSION = 1;

export type PluginKind = 'sign-in-source' | 'credential-handler';

/** The IdP profile a plugin works for (from the settings; nothing secret). */
export interface PluginProfile {
  id: string;
  name: string;
  /** The IdP-initiated sign-in URL for AWS. */
  signInUrl: string;
  region: string | undefined;
}

// ——— sign-in sources ———

/** A request through Cloudtoken's browser-like HTTP client. */
export interface PluginHttpRequest {
  url: string;
  /** Default GET. */
  method?: 'GET' | 'POST';
  /** Sent as application/x-www-form-urlencoded (POST). */
  form?: Record<string, string>;
  /** A raw body with its content type, instead of `form`. */
  body?: string;
  contentType?: string;
  /** The page the request comes from, as a browser sends its origin with a form POST. */
  fromUrl?: string;
}

export interface PluginHttpResponse {
  /** The URL after redirects. */
  url: string;
  status: number;
  contentType: string;
  text: string;
}

/**
 * Cookie-aware HTTP, run by Cloudtoken: the IdP's cookies are kept in Cloudtoken's own (0600) jar for the
 * profile and never reach the plugin; redirects are followed one by one; a request to an AWS sign-in
 * endpoint is refused (the SAMLResponse is handed to Cloudtoken, never posted).
 */
export interface PluginHttpClient {
  request(request: PluginHttpRequest): Promise<PluginHttpResponse>;
}

export interface PluginQuestion {
  /** What the person is asked, e.g. "Password for alice at idp.example.com". */
  label: string;
  /** Not echoed (passwords, codes). */
  secret?: boolean;
}

export interface SignInContext {
  apiVersion: typeof PLUGIN_API_VERSION;
  profile: PluginProfile;
  /**
   * false for a silent sign-in (a refresh): use the IdP session only, and answer `interaction-required` where
   * the IdP wants the person; `prompt` then fails.
   */
  interactive: boolean;
  /** The user name given on the command line or remembered for the profile, if any. */
  username: string | undefined;
  /** The plugin's `options` from the settings (nothing secret belongs there). */
  options: Record<string, string>;
  http: PluginHttpClient;
  /**
   * Asks the person in front of Cloudtoken (the terminal's hidden prompt for secrets, the tray app's question
   * window); rejects with code PROMPT_CANCELLED when they cancel, PROMPT_TIMEOUT when the tray gives up.
   */
  prompt(question: PluginQuestion): Promise<string>;
  /** A line for Cloudtoken's log (secrets are redacted there, but do not log them). */
  log(message: string): void;
}

export type SignInResult =
  | {
      type: 'assertion';
      /** The base64 SAMLResponse the IdP posted to AWS. */
      samlResponse: string;
      relayState?: string;
      /** The AWS endpoint it was posted to (tells partition and region). */
      acsUrl: string;
    }
  | { type: 'interaction-required'; message?: string };

export interface SignInSourcePlugin {
  apiVersion: typeof PLUGIN_API_VERSION;
  kind: 'sign-in-source';
  signIn(context: SignInContext): Promise<SignInResult>;
}

// ——— credential handlers ———

export interface PluginRole {
  roleArn: string;
  accountId: string;
  roleName: string;
  partition: string;
}

export interface PluginCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ISO 8601, UTC. */
  expiration: string;
}

interface RoleEventBase {
  apiVersion: typeof PLUGIN_API_VERSION;
  /** ISO 8601, UTC: when Cloudtoken sent the event. */
  at: string;
  profile: Pick<PluginProfile, 'id' | 'name'>;
  /** The region the session serves (what the metadata service reports). */
  region: string;
  role: PluginRole;
  /** arn:…:sts::<account>:assumed-role/<role>/<session>. */
  assumedRoleArn: string;
  /** Served at the metadata address (true) or kept active besides it. */
  metadata: boolean;
}

/**
 * What a handler hears, as one JSON object (a handler command reads it on stdin). Credentials come only with
 * `issued` (a role's first credentials in this session) and `refreshed` (new ones replacing them).
 */
export type CredentialEvent =
  | (RoleEventBase & { type: 'issued' | 'refreshed'; credentials: PluginCredentials })
  /** No longer served: `expired`, or `not-served` (another role chosen, removed from kept-active, signed out). */
  | (RoleEventBase & { type: 'withdrawn'; reason: 'expired' | 'not-served' })
  | { apiVersion: typeof PLUGIN_API_VERSION; type: 'signed-out'; at: string; profile: Pick<PluginProfile, 'id' | 'name'> }
  /**
   * The session ended (the daemon or a one-shot command exits, the tray app quits or switches profile): what it
   * issued stays valid until its expiration, but nothing renews it. The last event a handler hears from it.
   */
  | { apiVersion: typeof PLUGIN_API_VERSION; type: 'stopped'; at: string; profile: Pick<PluginProfile, 'id' | 'name'> };

export type CredentialEventType = CredentialEvent['type'];

export interface HandlerContext {
  apiVersion: typeof PLUGIN_API_VERSION;
  /** The plugin's `options` from the settings. */
  options: Record<string, string>;
  /**
   * Shows a desktop notification (the tray app) or prints the text to the terminal (the CLI): the one way a
   * handler reaches the person, since its own output goes to the log.
   */
  notify(text: string): void;
  log(message: string): void;
}

export interface CredentialHandlerPlugin {
  apiVersion: typeof PLUGIN_API_VERSION;
  kind: 'credential-handler';
  handle(event: CredentialEvent, context: HandlerContext): Promise<void> | void;
}

/** What a plugin module exports as its default export. */
export type CloudtokenPlugin = SignInSourcePlugin | CredentialHandlerPlugin;
