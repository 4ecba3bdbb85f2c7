// Writes a file again and again through one of Cloudtoken's writers until killed (kill -9 tests); with `once`,
// writes it one more time and exits (the owner's next write, which sweeps what a crash left).
import { createCredentialsFile } from '../../main/outputs/credentials-file.js';
import { openCookieJar } from '../../main/login/cookie-jar.js';
import { writeFileAtomic } from '../../main/support/atomic-file.js';
import { createSettingsStore } from '../../main/settings/settings-store.js';
import { updateJsonObject } from '../../main/settings/state-file.js';
import { durationLimitsFile } from '../../main/sts/duration-limits-file.js';

export type WriterKind = 'settings' | 'settings-store' | 'credentials' | 'cookie-jar' | 'cli-state' | 'duration-limits';

const [kind, target, home, once] = process.argv.slice(2) as [WriterKind, string, string, string | undefined];
// Large enough that a write takes a while, so a kill lands inside one.
const secretOf = (round: number) => `SECRET${String(round).padStart(8, '0')}`.repeat(20_000);
const MANY = 4_000;
const accounts = Array.from({ length: MANY }, (_, i) => String(100_000_000_000 + i));

async function writeRound(round: number): Promise<void> {
  switch (kind) {
    case 'settings':
      return writeFileAtomic(target, `${JSON.stringify({ round, secret: secretOf(round) })}\n`);
    case 'settings-store': {
      await createSettingsStore({ path: target }).update((settings) => {
        settings.accountLabels = Object.fromEntries(accounts.map((account) => [account, `label ${round} of ${account}`]));
      });
      return;
    }
    case 'credentials':
      return createCredentialsFile({ env: { AWS_SHARED_CREDENTIALS_FILE: target }, homedir: home }).writeProfiles([
        { name: 'cloudtoken', credentials: { accessKeyId: `ASIA${round}`, secretAccessKey: secretOf(round), sessionToken: 'token', expiration: Date.now() + 3_600_000 } },
      ]);
    case 'cookie-jar': {
      const jar = await openCookieJar({ path: target });
      const cookies = Array.from({ length: 200 }, (_, i) => `c${i}=${secretOf(round).slice(0, 2_000)}; Path=/; HttpOnly`);
      await jar.storeResponseCookies(cookies, 'https://idp.example.org/');
      return jar.save();
    }
    case 'cli-state':
      // As the CLI remembers how each profile signs in: read-merge-write of one entry among many.
      return void (await updateJsonObject(target, (data) => {
        for (const account of accounts) data[`p-${account}`] = { method: 'form', username: `user ${round} ${account}` };
      }));
    case 'duration-limits': {
      // Many roles learned earlier, so each remembered limit rewrites a large file.
      if (round === 0 && !once) {
        const learnedAt = Date.now();
        await writeFileAtomic(target, JSON.stringify(Object.fromEntries(accounts.map((account) => [`arn:aws:iam::${account}:role/Old`, { seconds: 3_600, learnedAt }]))));
      }
      return durationLimitsFile(target).remember(`arn:aws:iam::111111111111:role/R${round}`, 900 + (round % 100));
    }
  }
}

if (once) await writeRound(1_000_000);
else {
  for (let round = 0; ; round += 1) {
    await writeRound(round);
    if (round === 0) process.stdout.write('writing\n');
  }
}
