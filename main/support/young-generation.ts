import { setFlagsFromString } from 'node:v8';

/**
 * Stops V8 from growing its young generation in a process that serves small requests for days (the daemon,
 * the tray app).
 *
 * Under a burst of metadata requests V8 grows the young generation from 4 MiB to 32 MiB. It shrinks it only
 * when its memory reducer runs, which needs 10 MiB of old-generation growth first, so an idle daemon kept the
 * extra 30 MiB until it was restarted. A request's garbage dies young, so the small young generation costs
 * only more frequent scavenges (about one per thousand requests, each well under a millisecond).
 *
 * V8 fixes the young generation's maximum when the process starts, but reads the growth factor each time it
 * would grow, so a factor of 1 set after start-up keeps the size the young generation has then.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
