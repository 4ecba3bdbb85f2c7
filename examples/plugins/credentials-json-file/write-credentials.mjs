#!/usr/bin/env node
// @ts-check
/**
 * A Cloudtoken credential handler command (plugin API 1): keeps one role's credentials in a JSON file in the
 * format of credential_process (`{"Version": 1, "AccessKeyId", …}`), for a container build or any tool that
 * reads such a file, and removes the file when they are withdrawn.
 *
 *   write-credentials.mjs <file> [role ARN]     (default: the role served at the metadata address)
 *
 * Cloudtoken runs it once per event, with the event as one JSON object on standard input. The file is
 * written atomically (a private temporary file beside it, then renamed over it) and is readable by you only.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const [file, roleArn] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: write-credentials.mjs <file> [role ARN]\n');
  process.exit(2);
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const event = JSON.parse(input);
const mine = event.role && (roleArn ? event.role.roleArn === roleArn : event.metadata);

if ((event.type === 'issued' || event.type === 'refreshed') && mine) {
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = event.credentials;
  const text = `${JSON.stringify({ Version: 1, AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: sessionToken, Expiration: expiration }, null, 2)}\n`;
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
} else if ((event.type === 'withdrawn' && mine) || event.type === 'signed-out') {
  await rm(file, { force: true });
}
