/** A bare Query-protocol caller for tests that must see STS's raw status and XML, not an SDK's reading of it. */
import { DOMParser } from '@xmldom/xmldom';
import { STS_NAMESPACE } from './sts-xml.js';

export interface QueryAnswer {
  status: number;
  body: string;
  /** Text of the first element with this local name in the STS namespace, if any. */
  field(name: string): string | undefined;
  /** The root element's name and namespace. */
  root: { name: string; namespace: string | null };
}

export async function postQuery(url: string, params: Record<string, string | number | undefined>): Promise<QueryAnswer> {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) form.set(key, String(value));
  const response = await fetch(`${url}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: form.toString(),
  });
  const body = await response.text();
  const doc = new DOMParser().parseFromString(body, 'text/xml');
  const rootElement = doc.documentElement;
  return {
    status: response.status,
    body,
    field: (name) => doc.getElementsByTagNameNS(STS_NAMESPACE, name)[0]?.textContent ?? undefined,
    root: { name: rootElement?.localName ?? '', namespace: rootElement?.namespaceURI ?? null },
  };
}

export function assumeRoleParams(options: { roleArn: string; principalArn: string; samlResponse: string; durationSeconds?: number }) {
  return {
    Action: 'AssumeRoleWithSAML',
    Version: '2011-06-15',
    RoleArn: options.roleArn,
    PrincipalArn: options.principalArn,
    SAMLAssertion: options.samlResponse,
    DurationSeconds: options.durationSeconds,
  };
}
