import { phpArrayElement, phpAssignments } from './php-literal.js';
import type { IdpUser } from './users.js';
import { userAttributes } from './users.js';

/** The files of a SimpleSAMLphp 1.19 set-up, by path relative to the state dir (config/ is SIMPLESAMLPHP_CONFIG_DIR). */
export type ConfigFiles = Record<string, string>;

export const AWS_SP_ENTITY_ID = 'urn:amazon:webservices';
export const AWS_ACS_URL = 'https://signin.aws.amazon.com/saml';
export const AUTH_SOURCE = 'cloudtoken-test-users';

const NAMEID_FORMAT = {
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
} as const;
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

export interface IdpConfigInput {
  baseUrl: string;
  entityId: string;
  /** Where the per-run state lives: cert/, data/, tmp/, log/ and metadata/ under it. */
  stateDir: string;
  users: readonly IdpUser[];
  /** IdP session lifetime, seconds. */
  sessionDuration: number;
  nameIdFormat: keyof typeof NAMEID_FORMAT;
  secretSalt: string;
  adminPassword: string;
}

export function renderIdpConfig(input: IdpConfigInput): ConfigFiles {
  const dir = (name: string) => `${input.stateDir}/${name}/`;
  const config = {
    baseurlpath: `${input.baseUrl}/simplesaml/`,
    certdir: dir('cert'),
    loggingdir: dir('log'),
    datadir: dir('data'),
    tempdir: dir('tmp'),
    metadatadir: dir('metadata'),
    'metadata.sources': [{ type: 'flatfile' }],
    technicalcontact_name: 'Cloudtoken tests',
    technicalcontact_email: 'nobody@example.org',
    timezone: 'UTC',
    secretsalt: input.secretSalt,
    'auth.adminpassword': input.adminPassword,
    'admin.protectindexpage': false,
    'admin.protectmetadata': false,
    'logging.level': 5, // SimpleSAML\Logger::NOTICE
    'logging.handler': 'file',
    'logging.logfile': 'simplesamlphp.log',
    'enable.saml20-idp': true,
    'module.enable': { core: true, saml: true, exampleauth: true, admin: true },
    'store.type': 'phpsession',
    'session.duration': input.sessionDuration,
    // Plain http on loopback: a Secure or SameSite=None cookie would never come back, restarting every login.
    'session.cookie.secure': false,
    'session.cookie.samesite': null,
    'language.cookie.secure': false,
    'language.cookie.samesite': null,
    'trusted.url.domains': [new URL(input.baseUrl).host],
    'errorreporting': false,
    'showerrors': true,
  };

  const users: Record<string, Record<string, string[]>> = {};
  for (const user of input.users) users[`${user.username}:${user.password}`] = userAttributes(user);
  const authsources = {
    admin: ['core:AdminPassword'],
    // SimpleSAMLphp wants the module at index 0 and the users as sibling keys.
    [AUTH_SOURCE]: { '0': 'exampleauth:UserPass', ...users },
  };

  const idpHosted = {
    host: '__DEFAULT__',
    privatekey: 'idp.key',
    certificate: 'idp.crt',
    auth: AUTH_SOURCE,
    'signature.algorithm': RSA_SHA256,
  };

  const nameIdFormat = NAMEID_FORMAT[input.nameIdFormat];
  const nameIdFilter: Record<string, string> =
    input.nameIdFormat === 'persistent'
      ? { class: 'saml:AttributeNameID', Format: nameIdFormat, attribute: 'uid' }
      : { class: 'saml:TransientNameID' };
  const awsSp = {
    AssertionConsumerService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: AWS_ACS_URL, index: 0 }],
    NameIDFormat: nameIdFormat,
    'saml20.sign.response': true,
    'saml20.sign.assertion': true,
    'signature.algorithm': RSA_SHA256,
    'attributes.NameFormat': 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
    authproc: { '10': nameIdFilter },
  };

  return {
    'config/config.php': phpAssignments([['$config', config]]),
    'config/authsources.php': phpAssignments([['$config', authsources]]),
    'metadata/saml20-idp-hosted.php': phpAssignments([[phpArrayElement('$metadata', input.entityId), idpHosted]]),
    'metadata/saml20-sp-remote.php': phpAssignments([[phpArrayElement('$metadata', AWS_SP_ENTITY_ID), awsSp]]),
  };
}
