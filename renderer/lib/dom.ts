/**
 * A tiny element builder. Everything a page shows may come from outside (role names, account labels, IdP
 * messages), so text only ever goes in through `textContent` — there is deliberately no way to pass HTML.
 */
type Child = Node | string | undefined | false;

export interface ElementOptions {
  className?: string;
  text?: string;
  attrs?: Record<string, string | boolean | undefined>;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, options: ElementOptions = {}, children: Child[] = []): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    if (value === true) node.setAttribute(name, '');
    else if (typeof value === 'string') node.setAttribute(name, value);
  }
  for (const [type, handler] of Object.entries(options.on ?? {})) node.addEventListener(type, handler as EventListener);
  for (const child of children) if (child !== undefined && child !== false) node.append(child);
  return node;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing #${id}`);
  return node as T;
}

/** Announce a short message to screen readers and show it (the element is an aria-live region). */
export function announce(region: HTMLElement, message: string, kind: 'info' | 'error' = 'info'): void {
  region.textContent = message;
  region.dataset.kind = kind;
  region.hidden = message === '';
}
