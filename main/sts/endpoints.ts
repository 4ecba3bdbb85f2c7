import type { Partition } from '../saml/types.js';
import { isLoopbackHost } from '../security/service-url.js';
import { StsError } from './errors.js';

/** The region STS is reached in when the sign-in endpoint named none (the bare `signin.<partition host>`). */
export const DEFAULT_STS_REGION: Readonly<Record<Partition, string>> = {
  aws: 'us-east-1',
  'aws-us-gov': 'us-gov-west-1',
  'aws-cn': 'cn-north-1',
};

// GovCloud and China have few regions with STS; anything else falls back to the partition's home region.
const PARTITION_REGIONS: Readonly<Record<Exclude<Partition, 'aws'>, readonly string[]>> = {
  'aws-us-gov': ['us-gov-west-1', 'us-gov-east-1'],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
};

const DNS_SUFFIX: Readonly<Record<Partition, string>> = {
  aws: 'amazonaws.com',
  'aws-us-gov': 'amazonaws.com',
  'aws-cn': 'amazonaws.com.cn',
};

const REGION_NAME = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** The region whose STS endpoint serves a sign-in of `partition` that arrived at `region` (if any). */
export function stsRegionFor(partition: Partition, region: string | undefined): string {
  const fallback = DEFAULT_STS_REGION[partition];
  if (region === undefined || !REGION_NAME.test(region)) return fallback;
  if (partition === 'aws') {
    // A GovCloud or China region name cannot belong to a commercial sign-in.
    return region.startsWith('us-gov-') || region.startsWith('cn-') ? fallback : region;
  }
  return PARTITION_REGIONS[partition].includes(region) ? region : fallback;
}

/** `https://sts.<region>.amazonaws.com` (or `.amazonaws.com.cn`): always the regional endpoint. */
export function stsEndpointFor(partition: Partition, region: string | undefined): string {
  return `https://sts.${stsRegionFor(partition, region)}.${DNS_SUFFIX[partition]}`;
}

/**
 * Checks an endpoint override (an STS VPC endpoint, a console federation proxy, a test stand-in) and returns it
 * normalised without a trailing slash. Secrets cross this connection — credentials back from STS, the session
 * key to the federation endpoint — so plain http is allowed only to loopback. `setting` names it in messages.
 */
export function validateEndpointOverride(value: string, setting = 'STS endpoint'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new StsError('STS_ENDPOINT_INVALID', `The ${setting} setting "${value}" is not a URL.`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new StsError(
      'STS_ENDPOINT_INVALID',
      `The ${setting} setting "${url.origin}" must not carry user info, a query or a fragment.`,
    );
  }
  const secure = url.protocol === 'https:';
  const loopbackHttp = url.protocol === 'http:' && isLoopbackHost(url.hostname);
  if (!secure && !loopbackHttp) {
    throw new StsError(
      'STS_ENDPOINT_INVALID',
      `The ${setting} setting "${value}" must use https (plain http is accepted only for 127.0.0.1 or localhost).`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

export interface ResolvedStsEndpoint {
  url: string;
  /** The region to sign and resolve for (an override still needs one). */
  region: string;
}

/** The STS endpoint to call for a sign-in of `partition` at `region`, honouring the override setting. */
export function resolveStsEndpoint(options: {
  partition: Partition;
  region: string | undefined;
  override?: string | undefined;
}): ResolvedStsEndpoint {
  const region = stsRegionFor(options.partition, options.region);
  if (options.override !== undefined && options.override.trim() !== '') {
    return { url: validateEndpointOverride(options.override.trim()), region };
  }
  return { url: stsEndpointFor(options.partition, region), region };
}
