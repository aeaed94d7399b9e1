/**
 * A readable diff between two rule sets, for the admin who reviews a draft against the version
 * in force. Lists of objects with an `id` or `code` are matched by it, not by position, so
 * inserting a requirement shows as one addition rather than every later one changing.
 */
export type Change = {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function keyOf(item: unknown): string | null {
  if (!isObject(item)) return null;
  const k = item.id ?? item.code ?? item.name;
  return typeof k === 'string' ? k : null;
}

export function diffRuleSets(before: unknown, after: unknown, path = ''): Change[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => {
      const p = path ? `${path}.${k}` : k;
      if (!(k in before)) return [{ path: p, kind: 'added' as const, after: after[k] }];
      if (!(k in after)) return [{ path: p, kind: 'removed' as const, before: before[k] }];
      return diffRuleSets(before[k], after[k], p);
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const keyed = [...before, ...after].every((x) => keyOf(x) !== null);
    if (keyed) {
      const b = new Map(before.map((x) => [keyOf(x)!, x]));
      const a = new Map(after.map((x) => [keyOf(x)!, x]));
      const keys = [...new Set([...b.keys(), ...a.keys()])];
      return keys.flatMap((k) => {
        const p = `${path}[${k}]`;
        if (!b.has(k)) return [{ path: p, kind: 'added' as const, after: a.get(k) }];
        if (!a.has(k)) return [{ path: p, kind: 'removed' as const, before: b.get(k) }];
        return diffRuleSets(b.get(k), a.get(k), p);
      });
    }
  }
  return [{ path, kind: 'changed', before, after }];
}
