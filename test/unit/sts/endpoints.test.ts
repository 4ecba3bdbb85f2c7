import { describe, expect, it } from 'vitest';
import { isCloudtokenError } from '../../../main/support/errors.js';
import { resolveStsEndpoint, stsEndpointFor, validateEndpointOverride } from '../../../main/sts/endpoints.js';

describe('STS endpoint per partition and region', () => {
  it.each([
    ['aws', 'eu-west-1', 'https://sts.eu-west-1.amazonaws.com'],
    ['aws', 'us-east-1', 'https://sts.us-east-1.amazonaws.com'],
    ['aws', undefined, 'https://sts.us-east-1.amazonaws.com'],
    ['aws', 'ap-southeast-4', 'https://sts.ap-southeast-4.amazonaws.com'],
    // A region of another partition cannot belong to a commercial sign-in.
    ['aws', 'us-gov-west-1', 'https://sts.us-east-1.amazonaws.com'],
    ['aws', 'not a region', 'https://sts.us-east-1.amazonaws.com'],
    ['aws-us-gov', undefined, 'https://sts.us-gov-west-1.amazonaws.com'],
    ['aws-us-gov', 'us-gov-east-1', 'https://sts.us-gov-east-1.amazonaws.com'],
    ['aws-us-gov', 'eu-west-1', 'https://sts.us-gov-west-1.amazonaws.com'],
    ['aws-cn', undefined, 'https://sts.cn-north-1.amazonaws.com.cn'],
    ['aws-cn', 'cn-northwest-1', 'https://sts.cn-northwest-1.amazonaws.com.cn'],
  ] as const)('%s in %s → %s', (partition, region, expected) => {
    expect(stsEndpointFor(partition, region)).toBe(expected);
  });

  it('uses the override but keeps the region for signing', () => {
    expect(resolveStsEndpoint({ partition: 'aws', region: 'eu-central-1', override: 'https://vpce-123.sts.eu-central-1.vpce.amazonaws.com/' })).toEqual({
      url: 'https://vpce-123.sts.eu-central-1.vpce.amazonaws.com',
      region: 'eu-central-1',
    });
    expect(resolveStsEndpoint({ partition: 'aws-cn', region: undefined, override: '  ' })).toEqual({
      url: 'https://sts.cn-north-1.amazonaws.com.cn',
      region: 'cn-north-1',
    });
  });

  it('accepts http only for loopback', () => {
    expect(validateEndpointOverride('http://127.0.0.1:4566')).toBe('http://127.0.0.1:4566');
    expect(validateEndpointOverride('http://localhost:8080/')).toBe('http://localhost:8080');
    expect(validateEndpointOverride('http://[::1]:9000')).toBe('http://[::1]:9000');
    for (const bad of ['http://sts.example.com', 'http://10.1.2.3:8080', 'ftp://127.0.0.1', 'not a url', 'https://user:pw@sts.example.com', 'https://sts.example.com/?x=1']) {
      let thrown: unknown;
      try {
        validateEndpointOverride(bad);
      } catch (error) {
        thrown = error;
      }
      expect(isCloudtokenError(thrown, 'STS_ENDPOINT_INVALID'), bad).toBe(true);
      expect((thrown as Error).message).not.toContain('pw@');
    }
  });
});
