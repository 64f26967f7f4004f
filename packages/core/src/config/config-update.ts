/**
 * Runtime configuration changes (SCENARIO-FORMAT `configUpdate`, DESIGN.md "Configuration"): a
 * partial document is merged into the current one, and a node applies the result only when its
 * `configVersion` is higher than the one it runs. Pure functions.
 */

/** A plain mapping (not a list, not null). */
function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Merges a partial `cluster:` document into a whole one, as `configUpdate` does: mappings merge
 * key by key, recursively; lists and scalars in `patch` replace the old value whole; a key set to
 * `null` in `patch` is removed (JSON merge patch, RFC 7396). Neither argument is modified; the
 * result shares no mutable structure with them. The result is raw input: validate it with
 * `parseClusterConfig`.
 */
export function mergeClusterDocument(base: unknown, patch: unknown): unknown {
  if (!isMapping(patch)) return clone(patch);
  const out: Record<string, unknown> = isMapping(base) ? (clone(base) as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isMapping(v) && isMapping(out[k])) out[k] = mergeClusterDocument(out[k], v);
    else out[k] = clone(v);
  }
  return out;
}

function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (isMapping(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)]));
  return v;
}

/** Why a node refuses a configuration. */
export interface ConfigVersionRefusal {
  ok: false;
  /** `stale`: lower than the running version; `same`: equal to it. */
  reason: 'stale' | 'same';
  current: number;
  offered: number;
  /** A sentence for logs and timelines. */
  message: string;
}

/** The verdict of {@link checkConfigVersion}. */
export type ConfigVersionCheck = { ok: true; current: number; offered: number } | ConfigVersionRefusal;

/**
 * Decides whether a node running `current` may apply a configuration with version `next`: only a
 * strictly higher version is applied (corosync/cman `config_version`, invariant
 * `configMonotonic`). A refusal is a value with a sentence, never an exception.
 */
export function checkConfigVersion(current: number, next: number): ConfigVersionCheck {
  if (next > current) return { ok: true, current, offered: next };
  const reason = next === current ? 'same' : 'stale';
  return {
    ok: false,
    reason,
    current,
    offered: next,
    message:
      reason === 'same'
        ? `configuration version ${next} refused: it is the version already applied; a change needs a higher configVersion`
        : `configuration version ${next} refused: version ${current} is already applied and a node applies only a higher version`,
  };
}
