import { CloudtokenError } from '../support/errors.js';

/** Why a SAMLResponse could not be used; `code` is stable, `message` is for the user and their IdP admin. */
export type SamlErrorCode =
  | 'SAML_NOT_BASE64'
  | 'SAML_TOO_LARGE'
  | 'SAML_NOT_XML'
  | 'SAML_DOCTYPE'
  | 'SAML_TOO_DEEP'
  | 'SAML_NOT_RESPONSE'
  | 'SAML_STATUS'
  | 'SAML_ENCRYPTED'
  | 'SAML_NO_ASSERTION'
  | 'SAML_MANY_ASSERTIONS'
  | 'SAML_BAD_TIME'
  | 'SAML_NO_ROLES'
  | 'SAML_BAD_ARN'
  | 'SAML_EXPIRED';

export class SamlError extends CloudtokenError<SamlErrorCode> {}

const MAX_QUOTED_CHARS = 300;

/**
 * Text from the IdP (status messages, attribute values) ends up in a tray balloon and a log line:
 * keep it on one line and short, so a hostile or broken IdP cannot flood either.
 */
export function quoteForMessage(text: string): string {
  // eslint-disable-next-line no-control-regex
  const oneLine = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  const short = oneLine.length > MAX_QUOTED_CHARS ? `${oneLine.slice(0, MAX_QUOTED_CHARS)}…` : oneLine;
  return `"${short}"`;
}
