/**
 * A metadata client that asks like the AWS SDKs do (IMDSv2: a session token, then the role's credentials) at a
 * fixed cadence and records every answer, so a test can judge what the service served at each moment.
 */
export interface MetadataPoll {
  /** When the request left (epoch ms) and when the answer came (or the attempt gave up). */
  sentAt: number;
  receivedAt: number;
  /** The HTTP status, or 0 when no answer came within the poll's timeout. */
  status: number;
  accessKeyId?: string;
  /** The served `Expiration`, as epoch ms. */
  expiresAt?: number;
}

export interface MetadataPoller {
  readonly polls: readonly MetadataPoll[];
  /** Stops polling once the poll in flight is recorded. */
  stop(): Promise<void>;
}

const TOKEN_TTL_SECONDS = '21600';

export async function startMetadataPoller(baseUrl: string, roleName: string, intervalMs: number): Promise<MetadataPoller> {
  const tokenResponse = await fetch(new URL('/latest/api/token', baseUrl), {
    method: 'PUT',
    headers: { 'x-aws-ec2-metadata-token-ttl-seconds': TOKEN_TTL_SECONDS },
  });
  if (tokenResponse.status !== 200) throw new Error(`The metadata service refused a token: ${tokenResponse.status}`);
  const token = await tokenResponse.text();
  const url = new URL(`/latest/meta-data/iam/security-credentials/${roleName}`, baseUrl);
  const polls: MetadataPoll[] = [];
  let running = true;

  const pollOnce = async (): Promise<MetadataPoll> => {
    const sentAt = Date.now();
    try {
      const response = await fetch(url, { headers: { 'x-aws-ec2-metadata-token': token }, signal: AbortSignal.timeout(Math.max(intervalMs, 1_000)) });
      const text = await response.text();
      const receivedAt = Date.now();
      if (response.status !== 200) return { sentAt, receivedAt, status: response.status };
      const body = JSON.parse(text) as { AccessKeyId: string; Expiration: string };
      return { sentAt, receivedAt, status: 200, accessKeyId: body.AccessKeyId, expiresAt: Date.parse(body.Expiration) };
    } catch {
      return { sentAt, receivedAt: Date.now(), status: 0 };
    }
  };

  const startedAt = Date.now();
  const loop = (async () => {
    for (let round = 1; running; round += 1) {
      polls.push(await pollOnce());
      // A fixed cadence from the start, not from each answer: a slow answer does not shift later polls.
      const wait = startedAt + round * intervalMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();

  return {
    polls,
    async stop() {
      running = false;
      await loop;
    },
  };
}

export interface PollVerdict {
  /** Every poll that broke a rule, described; empty when all were right. */
  violations: string[];
  /** The access keys in the order they were first served. */
  keys: string[];
  /** Per key, the first poll that served it. */
  firstServedAt: Map<string, number>;
}

/**
 * The rules every poll must keep, whatever the network did: an answer came; a 200 carries credentials that
 * had not expired when asked for, issued by STS, never one older than a key already served; a 404 only once
 * the last credentials served have expired.
 */
export function judgePolls(polls: readonly MetadataPoll[], issuedKeys: ReadonlySet<string>): PollVerdict {
  const violations: string[] = [];
  const keys: string[] = [];
  const firstServedAt = new Map<string, number>();
  let lastServed: MetadataPoll | undefined;
  for (const poll of polls) {
    const at = new Date(poll.sentAt).toISOString();
    if (poll.status === 200) {
      const key = poll.accessKeyId ?? '';
      if (!((poll.expiresAt ?? 0) > poll.sentAt)) violations.push(`${at}: served ${key}, which expired at ${new Date(poll.expiresAt ?? 0).toISOString()}`);
      if (!issuedKeys.has(key)) violations.push(`${at}: served ${key}, which STS never issued`);
      if (keys.includes(key) && keys.at(-1) !== key) violations.push(`${at}: served ${key} again after a newer key`);
      if (keys.at(-1) !== key && !keys.includes(key)) {
        keys.push(key);
        firstServedAt.set(key, poll.sentAt);
      }
      lastServed = poll;
    } else if (poll.status === 404) {
      if (lastServed && (lastServed.expiresAt ?? 0) > poll.receivedAt) {
        violations.push(`${at}: 404 while ${lastServed.accessKeyId} was valid until ${new Date(lastServed.expiresAt ?? 0).toISOString()}`);
      }
    } else {
      violations.push(`${at}: ${poll.status === 0 ? 'no answer' : `status ${poll.status}`}`);
    }
  }
  return { violations, keys, firstServedAt };
}
