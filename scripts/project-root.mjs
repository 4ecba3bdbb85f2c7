// The checkout the scripts run in, as a file-system path. `new URL(…).pathname` is not one: it keeps `%20` for
// a space and gives `/C:/…` on Windows, which broke `npm start`, `npm run dist` and `prepack` there.
import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('..', import.meta.url));
