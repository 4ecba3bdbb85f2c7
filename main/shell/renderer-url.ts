import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The file: URL the pages are loaded from (windows.ts loads `dist/renderer/<kind>/index.html` below it): the
 * base IPC's sender check compares each sending frame against.
 */
export function rendererBaseUrl(appPath: string): string {
  return pathToFileURL(join(appPath, 'dist', 'renderer') + '/').href;
}
