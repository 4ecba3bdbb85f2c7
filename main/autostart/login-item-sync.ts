/** What the tray needs of the OS's login item (main/shell/login-items.ts makes one per platform). */
export interface LoginItem {
  isEnabled(): Promise<boolean>;
  setEnabled(enabled: boolean): Promise<void>;
}

/**
 * Start at login as it is to be saved when the user asks for `wanted`: the OS is asked first and then read
 * back, and what it says is saved (it may refuse, or need approval first), never the wish. A failure to ask
 * throws before anything is saved. Unchanged, the OS is not asked.
 */
export async function syncLoginItem(item: LoginItem, saved: boolean, wanted: boolean): Promise<boolean> {
  if (saved === wanted) return saved;
  await item.setEnabled(wanted);
  return item.isEnabled();
}

/** The OS's start at login when it differs from the saved setting (the user removed the login item, say). */
export async function loginItemDrift(item: LoginItem, saved: boolean): Promise<boolean | undefined> {
  const actual = await item.isEnabled();
  return actual === saved ? undefined : actual;
}
