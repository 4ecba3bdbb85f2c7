import { describe, expect, it } from 'vitest';
import { parseRequest } from '../../../main/channel/protocol.js';

const refusal = (line: string) => {
  try {
    parseRequest(line);
  } catch (error) {
    return [(error as { code: string }).code, (error as Error).message];
  }
  throw new Error(`accepted ${line}`);
};

describe('the channel protocol', () => {
  it('reads each request type with its fields', () => {
    const key = 'ab'.repeat(32);
    expect(parseRequest(`{"v":1,"type":"hello","key":"${key}"}`)).toEqual({ v: 1, type: 'hello', key });
    expect(parseRequest('{"v":1,"type":"credentials"}')).toEqual({ v: 1, type: 'credentials' });
    expect(parseRequest('{"v":1,"type":"credentials","role":"Admin","assume":false,"extra":1}')).toEqual({ v: 1, type: 'credentials', role: 'Admin', assume: false });
    expect(parseRequest('{"v":1,"type":"switch-role","role":"2"}')).toEqual({ v: 1, type: 'switch-role', role: '2' });
  });

  it('reads the browser extension host’s requests, and nothing they do not name', () => {
    expect(parseRequest('{"v":1,"type":"extension-hello","browser":"Firefox","x":1}')).toEqual({ v: 1, type: 'extension-hello', browser: 'Firefox' });
    expect(parseRequest('{"v":1,"type":"extension-wait","task":{}}')).toEqual({ v: 1, type: 'extension-wait' });
    expect(parseRequest('{"v":1,"type":"assertion","claim":"due","samlResponse":"PHg+","acsUrl":"https://signin.aws.amazon.com/saml","taskId":"t1"}')).toEqual({
      v: 1,
      type: 'assertion',
      claim: 'due',
      samlResponse: 'PHg+',
      relayState: undefined,
      acsUrl: 'https://signin.aws.amazon.com/saml',
      taskId: 't1',
    });
    expect(parseRequest('{"v":1,"type":"task-update","taskId":"t1","state":"needs-user"}')).toEqual({ v: 1, type: 'task-update', taskId: 't1', state: 'needs-user' });
    expect(refusal('{"v":1,"type":"assertion","claim":"any","samlResponse":"x","acsUrl":"y"}')).toEqual(['MALFORMED_REQUEST', '"claim" must be pending or due.']);
    expect(refusal('{"v":1,"type":"assertion","claim":"pending","acsUrl":"y"}')[1]).toMatch(/"samlResponse" must be a non-empty string/);
    expect(refusal('{"v":1,"type":"task-update","taskId":"t1","state":"done"}')).toEqual(['MALFORMED_REQUEST', '"state" must be needs-user or closed.']);
    expect(refusal('{"v":1,"type":"extension-hello"}')[0]).toBe('MALFORMED_REQUEST');
  });

  it('refuses what is not a request, saying what is wrong', () => {
    expect(refusal('{"v":1')).toEqual(['MALFORMED_REQUEST', 'A request must be one JSON object on one line.']);
    expect(refusal('[1]')[0]).toBe('MALFORMED_REQUEST');
    expect(refusal('{"type":"hello"}')).toEqual(['UNSUPPORTED_VERSION', 'This session speaks version 1 of the channel protocol; the request asked for null.']);
    expect(refusal('{"v":2,"type":"hello"}')[1]).toMatch(/asked for 2\./);
    expect(refusal('{"v":1,"type":"kill"}')).toEqual(['UNKNOWN_REQUEST', 'Unknown request type "kill"; known: hello, status, credentials, refresh, switch-role, extension-hello, extension-wait, assertion, task-update.']);
    expect(refusal('{"v":1,"type":"switch-role"}')[0]).toBe('MALFORMED_REQUEST');
    expect(refusal('{"v":1,"type":"hello"}')).toEqual(['MALFORMED_REQUEST', '"key" must be the session key: 64 hex digits read from the session\'s key file.']);
    expect(refusal(`{"v":1,"type":"hello","key":"${'AB'.repeat(32)}"}`)[0]).toBe('MALFORMED_REQUEST');
    expect(refusal(`{"v":1,"type":"hello","key":"${'ab'.repeat(31)}"}`)[0]).toBe('MALFORMED_REQUEST');
    expect(refusal('{"v":1,"type":"credentials","role":""}')[0]).toBe('MALFORMED_REQUEST');
    expect(refusal(`{"v":1,"type":"credentials","role":"${'r'.repeat(2049)}"}`)[0]).toBe('MALFORMED_REQUEST');
    expect(refusal('{"v":1,"type":"credentials","assume":"yes"}')).toEqual(['MALFORMED_REQUEST', '"assume" must be true or false.']);
  });
});
