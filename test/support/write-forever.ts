// Writes a file again and again through one of Cloudtoken's atomic writers until killed (kill -9 tests).
import { createCredentialsFile } from '../../main/outputs/credentials-file.js';
import { writeFileAtomic } from '../../main/support/atomic-file.js';

const [kind, target, home] = process.argv.slice(2) as ['settings' | 'credentials', string, string];
const credentials = createCredentialsFile({ env: { AWS_SHARED_CREDENTIALS_FILE: target }, homedir: home });
for (let round = 0; ; round += 1) {
  // Large enough that a write takes a while, so a kill lands inside one.
  const secret = `SECRET${String(round).padStart(8, '0')}`.repeat(20_000);
  if (kind === 'settings') await writeFileAtomic(target, `${JSON.stringify({ round, secret })}\n`);
  else await credentials.writeProfiles([{ name: 'cloudtoken', credentials: { accessKeyId: `ASIA${round}`, secretAccessKey: secret, sessionToken: 'token', expiration: Date.now() + 3_600_000 } }]);
  if (round === 0) process.stdout.write('writing\n');
}
