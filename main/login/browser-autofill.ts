import type { Page } from 'playwright-core';

/**
 * Filling in an IdP's login form for unattended sign-in (`--username`, `--password-stdin`). Only the fields a
 * login form plainly marks as such are touched; anything else (MFA prompts, consent pages) is left to the
 * person at the browser.
 */
export interface BrowserAutofill {
  username: string;
  /** Asked only when a password field is on screen, and not kept. */
  password: () => Promise<string>;
}

const TEXT_INPUT = ':not([type="hidden"]):not([type="password"]):not([type="submit"]):not([type="checkbox"]):visible';
const USERNAME_FIELD = ['input[autocomplete="username" i]', 'input[type="email"]', 'input[name*="user" i]', 'input[id*="user" i]', 'input[name*="login" i]', 'input[name="email" i]']
  .map((selector) => selector + TEXT_INPUT)
  .join(', ');
const PASSWORD_FIELD = 'input[type="password"]:visible';

export type AutofillStep = 'password' | 'username' | 'nothing';

/**
 * Fill what the page asks: user name (when empty) and password together, or a user name alone on a
 * two-step login; then submit as pressing Enter would.
 */
export async function fillLoginForm(page: Page, autofill: BrowserAutofill, options: { password: boolean }): Promise<AutofillStep> {
  const username = page.locator(USERNAME_FIELD).first();
  const hasUsername = (await username.count()) > 0 && (await username.inputValue()) === '';
  if (hasUsername) await username.fill(autofill.username);
  if (options.password) {
    const password = page.locator(PASSWORD_FIELD).first();
    await password.fill(await autofill.password());
    await password.press('Enter');
    return 'password';
  }
  if (!hasUsername) return 'nothing';
  await username.press('Enter');
  return 'username';
}
