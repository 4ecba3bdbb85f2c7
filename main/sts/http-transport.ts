import { ProxyAgent } from 'proxy-agent';
import { get as httpGet, type ClientRequest } from 'node:http';
import { get as httpsGet } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Bounds for every call to AWS: a hung proxy or endpoint must not stall a refresh forever. */
export interface TransportTimeouts {
  /** TCP (and proxy) connection set-up. */
  connectMs: number;
  /** The whole request and response. */
  requestMs: number;
}

export const DEFAULT_TIMEOUTS: TransportTimeouts = { connectMs: 5_000, requestMs: 20_000 };

/**
 * One agent that routes through the proxy HTTPS_PROXY / HTTP_PROXY / ALL_PROXY name unless NO_PROXY
 * exempts the host (read at each request, so a changed environment applies without a restart).
 */
export function createProxyAgent(): ProxyAgent {
  return new ProxyAgent({ keepAlive: true, timeout: DEFAULT_TIMEOUTS.connectMs });
}

/** The Smithy request handler for SDK clients: proxy-aware, with bounded time-outs. */
export function createRequestHandler(agent: ProxyAgent, timeouts: TransportTimeouts): NodeHttpHandler {
  return new NodeHttpHandler({
    httpAgent: agent,
    httpsAgent: agent,
    connectionTimeout: timeouts.connectMs,
    requestTimeout: timeouts.requestMs,
    throwOnRequestTimeout: true,
  });
}

/** Which proxy a request to `url` would use, without user info (it may hold a password), or undefined. */
export async function describeProxyFor(agent: ProxyAgent, url: string): Promise<string | undefined> {
  // proxy-agent's default resolver reads only the environment; it never looks at the request.
  const proxy = await agent.getProxyForUrl(url, undefined as unknown as ClientRequest);
  if (!proxy) return undefined;
  try {
    const parsed = new URL(proxy);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return 'an unparsable proxy URL';
  }
}

/** The advice every network error carries: which endpoint failed and how proxies are chosen. */
export async function networkAdvice(agent: ProxyAgent, url: string): Promise<string> {
  const proxy = await describeProxyFor(agent, url);
  const route = proxy
    ? `The request went through the proxy ${proxy} (from HTTPS_PROXY/ALL_PROXY); check that proxy, or add the host to NO_PROXY to go direct.`
    : 'No proxy was used; if this network needs one, set HTTPS_PROXY (and NO_PROXY for hosts to reach directly).';
  return `Could not reach ${url}. ${route}`;
}

/** A GET through the proxy agent, for endpoints outside the SDK (the console federation endpoint). */
export function getText(
  url: string,
  agent: ProxyAgent,
  timeoutMs: number,
): Promise<{ status: number; body: string; location: string | undefined }> {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const request = get(url, { agent, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), location: response.headers.location }),
      );
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error(`timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    request.on('error', reject);
  });
}
