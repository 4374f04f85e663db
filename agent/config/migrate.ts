/**
 * Keys renamed between agent versions, moved to their new names before validation, so a config
 * written for an older agent (a last-good saved before an upgrade, an old config file) still loads:
 * without this, an upgrade that renames a key makes every box's last-good fail THE schema at start.
 *
 * To rename a key: rename it in the schema, then add a row here (oldest first; rows apply in order,
 * so a key renamed twice moves along both). `[]` in a path means every element of that array.
 */
export interface KeyRename {
  /** Old path, e.g. `cameras[].source.user`. */
  from: string;
  /** New path; its parent must be the same object (a rename, not a move between sections). */
  to: string;
  /** The agent version that introduced the new name (for the docs and the log). */
  since: string;
}

export const CONFIG_RENAMES: readonly KeyRename[] = [];

/** One rename done: its row with concrete paths (array indexes filled in, e.g. `cameras[0].source.user`). */
export type AppliedRename = KeyRename;

/**
 * Applies `renames` to a parsed config in place and lists what moved. A key whose new name is
 * already set is left alone (both set is for the schema to reject as an unknown key, not for us to pick).
 */
export function migrateConfig(config: unknown, renames: readonly KeyRename[] = CONFIG_RENAMES): AppliedRename[] {
  const applied: AppliedRename[] = [];
  for (const rename of renames) {
    const from = splitPath(rename.from);
    const to = splitPath(rename.to);
    const oldKey = from.pop() as string;
    const newKey = to.pop() as string;
    if (from.join('.') !== to.join('.')) throw new Error(`config rename ${rename.from} -> ${rename.to} changes the parent object`);
    for (const { parent, at } of objectsAt(config, from, '')) {
      if (!(oldKey in parent) || newKey in parent) continue;
      parent[newKey] = parent[oldKey];
      delete parent[oldKey];
      applied.push({ from: `${at}${oldKey}`, to: `${at}${newKey}`, since: rename.since });
    }
  }
  return applied;
}

/** `cameras[].source.user` -> ['cameras', '[]', 'source', 'user'] */
function splitPath(p: string): string[] {
  return p.split('.').flatMap((part) => (part.endsWith('[]') ? [part.slice(0, -2), '[]'] : [part]));
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every object reached by `steps` (`[]` fans out over an array), with its concrete path prefix. */
function* objectsAt(node: unknown, steps: string[], at: string): Generator<{ parent: Obj; at: string }> {
  if (steps.length === 0) {
    if (isObject(node)) yield { parent: node, at };
    return;
  }
  const [step, ...rest] = steps;
  if (step === '[]') {
    if (!Array.isArray(node)) return;
    for (const [i, item] of node.entries()) yield* objectsAt(item, rest, `${at.replace(/\.$/, '')}[${i}].`);
  } else if (isObject(node) && step in node) {
    yield* objectsAt(node[step], rest, `${at}${step}.`);
  }
}
