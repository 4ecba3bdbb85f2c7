import type { Logger } from '../support/logger.js';
import { classifyAcsUrl } from '../saml/acs.js';
import type { PersistentCookieJar } from './cookie-jar.js';
import { FormLoginError } from './form-errors.js';

/**
 * Browser-like HTTP for the form sign-in: cookies from the jar, redirects followed one by one (so every hop
 * gets its cookies and is checked), typed errors for what goes wrong on the wire.
 */
export interface PageRequest {
  url: string;
  method: 'GET' | 'POST';
  body?: string | FormData;
  contentType?: string;
  /** The page that submitted the form: browsers send its origin with a POST. */
  fromUrl?: string;
}

export interface FetchedPage {
  /** The URL after redirects. */
  url: string;
  status: number;
  contentType: string;
  text: string;
}

export interface PageFetcher {
  open(request: PageRequest): Promise<FetchedPage>;
}

const MAX_PAGE_BYTES = 5 * 1024 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function createPageFetcher(deps: {
  jar: PersistentCookieJar;
  fetch: typeof fetch;
  maxRedirects: number;
  /** Per request, body included: time the user spends typing does not count. */
  timeoutMs: number;
  /** The caller's cancellation; its reason is thrown as is. */
  signal: AbortSignal | undefined;
  logger: Logger;
}): PageFetcher {
  const { jar, maxRedirects, logger } = deps;

  /** One request and its body, under its own time limit. */
  async function send(request: PageRequest): Promise<{ response: Response; text: () => Promise<string> }> {
    const url = checkedUrl(request.url);
    const timeout = AbortSignal.timeout(deps.timeoutMs);
    const signal = deps.signal ? AbortSignal.any([deps.signal, timeout]) : timeout;
    const fail = (error: unknown) => wireError(error, url, deps.signal, timeout, deps.timeoutMs);
    const headers: Record<string, string> = {
      accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8',
      'user-agent': 'Cloudtoken (form sign-in)',
    };
    const cookie = await jar.cookieHeader(url.href);
    if (cookie) headers.cookie = cookie;
    if (request.contentType) headers['content-type'] = request.contentType;
    if (request.method === 'POST' && request.fromUrl) headers.origin = new URL(request.fromUrl).origin;
    let response: Response;
    try {
      response = await deps.fetch(url.href, { method: request.method, body: request.body, headers, redirect: 'manual', signal });
    } catch (error) {
      throw fail(error);
    }
    await jar.storeResponseCookies(response.headers.getSetCookie(), url.href);
    logger.debug('form sign-in: page', { method: request.method, url: `${url.origin}${url.pathname}`, status: response.status });
    return { response, text: () => readText(response, url, fail) };
  }

  return {
    async open(first) {
      let request = first;
      for (let hop = 0; ; hop++) {
        const { response, text } = await send(request);
        const location = response.headers.get('location');
        if (!REDIRECTS.has(response.status) || location === null) {
          return { url: request.url, status: response.status, contentType: response.headers.get('content-type') ?? '', text: await text() };
        }
        await response.body?.cancel();
        if (hop >= maxRedirects) {
          throw new FormLoginError(
            'FORM_TOO_MANY_REDIRECTS',
            `Signing in stopped after ${maxRedirects} redirects in a row at ${hostOf(request.url)}: the identity provider keeps sending the browser on (a redirect loop, often from a cookie it cannot set).`,
          );
        }
        request = nextHop(request, response.status, location);
      }
    },
  };
}

function nextHop(request: PageRequest, status: number, location: string): PageRequest {
  const target = new URL(location, request.url).href;
  // 307/308 repeat the POST, body included: never let that carry a form (a password) to another site.
  if ((status === 307 || status === 308) && request.method === 'POST') {
    if (new URL(target).origin !== new URL(request.url).origin) {
      throw new FormLoginError(
        'FORM_UNSAFE_REDIRECT',
        `The identity provider at ${hostOf(request.url)} asked to send the submitted form on to ${hostOf(target)}; Cloudtoken did not, so nothing you typed left for another site.`,
      );
    }
    return { ...request, url: target };
  }
  return { url: target, method: 'GET' };
}

function checkedUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FormLoginError('FORM_BAD_URL', `"${text}" is not a valid sign-in address.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new FormLoginError('FORM_BAD_URL', `The sign-in led to "${url.protocol}" address at ${url.host}, which Cloudtoken cannot open.`);
  }
  // The SAML response must reach AWS only through the captured form, never by Cloudtoken's own request.
  if (classifyAcsUrl(url.href)) {
    throw new FormLoginError(
      'FORM_AWS_WITHOUT_RESPONSE',
      `The identity provider sent the browser to AWS (${url.host}) without posting a SAML response. Check the AWS application in your identity provider.`,
    );
  }
  return url;
}

async function readText(response: Response, url: URL, fail: (error: unknown) => unknown): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > MAX_PAGE_BYTES) {
        await reader.cancel();
        throw new FormLoginError('FORM_PAGE_TOO_LARGE', `A page from ${url.host} was larger than 5 MiB, far more than any sign-in page; it was not read.`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof FormLoginError) throw error;
    throw fail(error);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const TLS_CODE = /CERT|SSL|TLS|UNABLE_TO_(?:VERIFY|GET)|SELF_SIGNED|HOSTNAME_MISMATCH/;

function wireError(error: unknown, url: URL, cancel: AbortSignal | undefined, timeout: AbortSignal, timeoutMs: number): unknown {
  if (cancel?.aborted) return cancel.reason;
  if (timeout.aborted) {
    return new FormLoginError(
      'FORM_TIMEOUT',
      `The identity provider at ${url.host} did not answer within ${Math.round(timeoutMs / 100) / 10} s. It may be slow or unreachable (VPN, proxy).`,
      { cause: error },
    );
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  if (TLS_CODE.test(code)) {
    return new FormLoginError(
      'FORM_TLS',
      `The secure connection to ${url.host} failed: its certificate was not accepted (${code}). If your company inspects TLS, point NODE_EXTRA_CA_CERTS at its root certificate.`,
      { cause: error },
    );
  }
  return new FormLoginError(
    'FORM_NETWORK',
    `Could not reach the identity provider at ${url.host} (${code || cause?.message || (error instanceof Error ? error.message : String(error))}). Check the network, VPN or proxy.`,
    { cause: error },
  );
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
