import { parseSamlResponse } from '../../main/saml/assertion.js';
import { createStsExchange } from '../../main/sts/assume-role.js';
import type { RoleCredentials } from '../../main/sts/types.js';
import { buildSamlResponse, createSigningIdentity, DEFAULT_ISSUER } from '../../test/support/saml-fixtures.js';
import { startStsStandIn, type StsStandIn } from '../../test/support/sts/stand-in.js';

const PROVIDER = 'arn:aws:iam::123456789012:saml-provider/CloudtokenBench';
const ROLE = 'arn:aws:iam::123456789012:role/BenchDeveloper';

/** The STS stand-in on loopback and real credentials it issued (so GetCallerIdentity verifies their SigV4). */
export async function standInWithCredentials(): Promise<{ standIn: StsStandIn; held: RoleCredentials }> {
  const identity = createSigningIdentity();
  const standIn = await startStsStandIn({ providers: [{ arn: PROVIDER, issuer: DEFAULT_ISSUER, certificates: [identity.certificatePem] }] });
  const samlResponse = buildSamlResponse({ identity, roles: [`${ROLE},${PROVIDER}`] });
  const parsed = parseSamlResponse(samlResponse);
  const exchange = createStsExchange({ endpointOverride: standIn.url });
  try {
    const held = await exchange.assumeRole({ role: parsed.roles[0]!, samlResponse, sessionDuration: parsed.sessionDuration });
    return { standIn, held };
  } finally {
    exchange.close();
  }
}
