// Property paths and a structural diff of resource inputs, in the shapes the Pulumi engine and providers use.
/** What renders wrote for every secret before digests (tools/offline.ts REDACTED). */
const REDACTED = "<redacted>";

/** A property path as a list of keys and array indexes: `["spec", "containers", 0, "image"]`. */
export type Path = (string | number)[];

export interface Change {
  path: Path;
  /** `add`: absent before; `delete`: absent now; `update`: both present and different. */
  kind: "add" | "delete" | "update";
  old?: unknown;
  new?: unknown;
}

/** What a provider's Diff says about one resource, with the rule behind each replacement. */
export interface ResourceDiff {
  changes: (Change & { replace: boolean; because?: string })[];
  /** Paths that force replacement. */
  replaces: string[];
  /** The provider's choice; the resource option deleteBeforeReplace overrides it. */
  deleteBeforeReplace: boolean;
  uncomparable: Path[];
  /** What the plan should say besides the fields (a rule it could not confirm, a side effect). */
  notes: string[];
}

export interface InputDiff {
  changes: Change[];
  /** Secret values whose old render carries no digest (`<redacted>` only): whether they changed is unknown. */
  uncomparable: Path[];
}

/**
 * A path as Pulumi prints it (resource.PropertyPath.String): `spec.containers[0].image`, with keys that hold anything
 * but letters, digits and `_` quoted (requiresQuote): `metadata.labels["app.kubernetes.io/name"]`.
 */
export function formatPath(path: Path): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else if (/[^A-Za-z0-9_]/.test(p)) out += `["${p.replace(/"/g, '\\"')}"]`;
    else out += out ? `.${p}` : p;
  }
  return out;
}

/**
 * Parses a Pulumi property path (resource.ParsePropertyPath) as ignoreChanges and replaceOnChanges give them:
 * `a.b`, `a[0]`, `a["b.c"]`, and `*` / `[*]` for any key or index.
 */
export function parsePath(text: string): Path {
  const path: Path = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === ".") {
      i++;
      continue;
    }
    if (text[i] === "[") {
      const close = text.indexOf("]", i);
      if (close < 0) throw new Error(`unterminated [ in property path ${JSON.stringify(text)}`);
      let inner = text.slice(i + 1, close);
      if (inner.startsWith('"')) {
        // A quoted key may contain `]`: find the closing quote first.
        const end = text.indexOf('"]', i + 2);
        if (end < 0) throw new Error(`unterminated quoted key in property path ${JSON.stringify(text)}`);
        inner = text.slice(i + 2, end).replace(/\\"/g, '"');
        path.push(inner);
        i = end + 2;
        continue;
      }
      path.push(inner === "*" ? "*" : Number(inner));
      i = close + 1;
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== "." && text[j] !== "[") j++;
    path.push(text.slice(i, j));
    i = j;
  }
  return path;
}

/** Whether `outer` contains `inner` (resource.PropertyPath.Contains): a prefix of it, `*` matching any one element. */
export function pathContains(outer: Path, inner: Path): boolean {
  if (outer.length > inner.length) return false;
  return outer.every((p, i) => p === "*" || p === inner[i]);
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;

const isMarker = (v: unknown) => typeof v === "string" && v.startsWith("<redacted");
/** Only redaction markers under `v` (a Secret payload reported key by key). */
const onlyMarkers = (v: unknown): boolean =>
  isMarker(v) || (!!v && typeof v === "object" && Object.values(v).length > 0 && Object.values(v).every(onlyMarkers));

/**
 * True for `<redacted>` from a render that predates digests against any redaction (a digest, or a Secret payload
 * reported key by key): whether the secret changed cannot be told.
 */
export function redactionWithoutDigest(a: unknown, b: unknown): boolean {
  return a !== b && ((a === REDACTED && onlyMarkers(b)) || (b === REDACTED && onlyMarkers(a)));
}

/**
 * Every leaf at which `after` differs from `before`: objects key by key, arrays element by element (a longer or
 * shorter array adds or deletes its tail), other values by equality (numbers by value). Null counts as absent, as
 * it does in a JSON merge patch. A subtree added or deleted whole is one change at its root.
 */
export function diffInputs(before: unknown, after: unknown, path: Path = [], out?: InputDiff): InputDiff {
  const result = out ?? { changes: [], uncomparable: [] };
  if (absent(before) && absent(after)) return result;
  if (redactionWithoutDigest(before, after)) {
    result.uncomparable.push(path);
  } else if (absent(before)) {
    result.changes.push({ path, kind: "add", new: after });
  } else if (absent(after)) {
    result.changes.push({ path, kind: "delete", old: before });
  } else if (isObject(before) && isObject(after)) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort())
      diffInputs(before[key], after[key], [...path, key], result);
  } else if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++)
      diffInputs(before[i], after[i], [...path, i], result);
  } else if (before !== after) {
    result.changes.push({ path, kind: "update", old: before, new: after });
  }
  return result;
}

/**
 * Provider configuration as the engine hands it to a provider: every top-level scalar as a string (SDKs send
 * `"5432"` and `"true"`; a stack's config values are strings), structured values as JSON text.
 */
export function configStrings(inputs: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(inputs ?? {})) {
    if (absent(v)) continue;
    out[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return out;
}

/** The keys of two provider configurations whose values differ (a secret without a digest counts as the same). */
export function changedKeys(olds: Record<string, string>, news: Record<string, string>): string[] {
  return [...new Set([...Object.keys(olds), ...Object.keys(news)])]
    .filter((k) => olds[k] !== news[k] && !redactionWithoutDigest(olds[k], news[k]))
    .sort();
}

/** Whether two values are equal for a diff: no change anywhere under them. */
export function deepEqual(a: unknown, b: unknown): boolean {
  return diffInputs(a, b).changes.length === 0;
}

/** Drops the changes that an `ignoreChanges` path covers (the engine keeps the old value there). */
export function withoutIgnored(changes: Change[], ignoreChanges: string[]): Change[] {
  const ignored = ignoreChanges.map(parsePath);
  return changes.filter((c) => !ignored.some((p) => pathContains(p, c.path)));
}

/**
 * For a resource whose provider rules are not known here: every change (but those ignoreChanges covers) counted as
 * a replacement, `because` given as the reason, so the plan errs on the side of what could go.
 */
export function replaceEveryChange(
  args: { old: any; new: any; ignoreChanges?: string[] },
  because: string,
  note: string,
): ResourceDiff {
  const raw = diffInputs(args.old, args.new);
  const changes = withoutIgnored(raw.changes, args.ignoreChanges ?? []).map((c) => ({ ...c, replace: true, because }));
  return {
    changes,
    replaces: [...new Set(changes.map((c) => formatPath(c.path.slice(0, 1))))],
    deleteBeforeReplace: false,
    uncomparable: raw.uncomparable,
    notes: changes.length ? [note] : [],
  };
}
