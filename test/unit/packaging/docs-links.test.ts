// The user and admin docs link to each other, to sections and to files in the repository; a renamed heading or
// moved file must not leave a reader at a dead link.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
const docsDir = join(root, 'docs');
const documents = [
  ...readdirSync(docsDir).filter((name) => name.endsWith('.md')).map((name) => join(docsDir, name)),
  join(root, 'README.md'),
];

/** GitHub's heading anchors: lower case, punctuation other than `-` and `_` dropped, spaces to hyphens. */
function anchorsOf(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  const anchors = new Set<string>();
  for (const [, heading] of withoutCode.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    anchors.add(heading!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-'));
  }
  return anchors;
}

function linksOf(markdown: string): string[] {
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
}

describe('docs', () => {
  it('has the three guides', () => {
    expect(documents.filter((file) => file.startsWith(docsDir)).map((file) => file.slice(docsDir.length + 1)).sort()).toEqual(
      expect.arrayContaining(['idp-setup.md', 'security.md', 'troubleshooting.md']),
    );
  });

  it('computes anchors the way GitHub does', () => {
    expect([...anchorsOf('## Requests time out: proxies and NO_PROXY\n### AD FS\n# No tray icon on Linux (GNOME)')]).toEqual([
      'requests-time-out-proxies-and-no_proxy', 'ad-fs', 'no-tray-icon-on-linux-gnome',
    ]);
  });

  for (const file of documents) {
    it(`${file.slice(root.length)}: every relative link reaches a file and every anchor a heading`, () => {
      const text = readFileSync(file, 'utf8');
      const links = linksOf(text).filter((link) => !/^[a-z]+:/i.test(link));
      for (const link of links) {
        const [path, anchor] = link.split('#', 2) as [string, string | undefined];
        const target = path === '' ? file : resolve(dirname(file), path);
        expect(existsSync(target), `${link}: no such file`).toBe(true);
        if (anchor !== undefined) expect(anchorsOf(readFileSync(target, 'utf8')).has(anchor), `${link}: no such heading`).toBe(true);
      }
    });
  }
});
