import type { Logger } from '../support/logger.js';

/**
 * Trust the operating system's certificate store for Node's own TLS (the STS calls), as Chromium already does
 * for the IdP page. On a network that inspects TLS the company's root is in the OS store, and without this the
 * sign-in works but STS fails with "unable to get local issuer certificate"; NODE_EXTRA_CA_CERTS is no answer
 * for an app started from Finder or at login. Node 24 (Electron 41) has the two calls this needs; an older
 * Node (the CLI may run on 20) lacks them and keeps its defaults.
 */

type CertificateKind = 'default' | 'system';

export interface CertificateApi {
  getCACertificates(type: CertificateKind): string[];
  setDefaultCACertificates(certificates: readonly string[]): void;
}

export type TrustOutcome = { kind: 'added'; count: number } | { kind: 'already-trusted' } | { kind: 'unsupported' } | { kind: 'failed'; message: string };

function hasCertificateApi(tls: object): tls is CertificateApi {
  const api = tls as Partial<CertificateApi>;
  return typeof api.getCACertificates === 'function' && typeof api.setDefaultCACertificates === 'function';
}

/** Adds the system store's certificates to Node's default ones (never replaces them); logs what it did. */
export function trustSystemCertificates(tls: object, logger: Logger): TrustOutcome {
  const outcome = addSystemCertificates(tls);
  if (outcome.kind === 'added') logger.info('Trusting the system certificate store for STS', { added: outcome.count });
  else if (outcome.kind === 'unsupported') logger.info('This Node.js cannot use the system certificate store; set NODE_EXTRA_CA_CERTS behind TLS inspection');
  else if (outcome.kind === 'failed') logger.warn('Could not read the system certificate store', { error: outcome.message });
  return outcome;
}

function addSystemCertificates(tls: object): TrustOutcome {
  if (!hasCertificateApi(tls)) return { kind: 'unsupported' };
  try {
    const current = tls.getCACertificates('default');
    const known = new Set(current.map((pem) => pem.trim()));
    const added = [...new Set(tls.getCACertificates('system').map((pem) => pem.trim()))].filter((pem) => !known.has(pem));
    if (added.length === 0) return { kind: 'already-trusted' };
    tls.setDefaultCACertificates([...current, ...added]);
    return { kind: 'added', count: added.length };
  } catch (error) {
    return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
}
