/**
 * Renders plain data as a PHP literal, so the IdP's configuration is written from typed TypeScript objects
 * rather than from string templates that could break on a quote in a password or attribute value.
 */
export type PhpValue = string | number | boolean | null | PhpValue[] | { [key: string]: PhpValue };

function phpString(text: string): string {
  // Single-quoted PHP strings interpret only \\ and \'.
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function phpLiteral(value: PhpValue, indent = ''): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return phpString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as a PHP literal`);
    return String(value);
  }
  const inner = `${indent}  `;
  const entries = Array.isArray(value)
    ? value.map((item) => `${inner}${phpLiteral(item, inner)},`)
    : Object.entries(value).map(([key, item]) => `${inner}${phpKey(key)} => ${phpLiteral(item, inner)},`);
  return entries.length === 0 ? '[]' : `[\n${entries.join('\n')}\n${indent}]`;
}

// authproc filters are keyed by priority: numeric keys must stay integers in PHP.
function phpKey(key: string): string {
  return /^(?:0|[1-9]\d{0,8})$/.test(key) ? key : phpString(key);
}

/** A PHP file assigning each value to its variable expression (`$config`, `$metadata['…']`). */
export function phpAssignments(assignments: ReadonlyArray<readonly [target: string, value: PhpValue]>): string {
  return `<?php\n${assignments.map(([target, value]) => `${target} = ${phpLiteral(value)};\n`).join('')}`;
}

export function phpArrayElement(variable: string, key: string): string {
  return `${variable}[${phpString(key)}]`;
}
