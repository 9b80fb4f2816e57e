// How pulumi-random decides: it bridges terraform-provider-random v3.9.0 (hashicorp/terraform-provider-random,
// pinned by pulumi/pulumi-random provider/go.mod), whose resources have no Update worth the name: every input
// attribute carries a RequiresReplace plan modifier (internal/provider/resource_*.go, the `Schema` of each resource).
// The bridge sets no DeleteBeforeReplace for them, so a replacement creates the new value first.
import type { ResourceDiff } from "./diff.ts";
import { diffInputs, formatPath, withoutIgnored } from "./diff.ts";

/**
 * Inputs with a schema default (booldefault/int64default in resource_password.go passwordSchemaV3 and
 * resource_string.go): an absent input means the default, so dropping `special: true` is no change.
 */
const DEFAULTS: Record<string, Record<string, unknown>> = {
  "random:index/randomPassword:RandomPassword": passwordDefaults(),
  "random:index/randomString:RandomString": passwordDefaults(),
  // resource_pet.go: length defaults to 2, separator to "-".
  "random:index/randomPet:RandomPet": { length: 2, separator: "-" },
};

function passwordDefaults() {
  return {
    special: true,
    upper: true,
    lower: true,
    number: true,
    numeric: true,
    minNumeric: 0,
    minUpper: 0,
    minLower: 0,
    minSpecial: 0,
  };
}

/**
 * Every random resource: any input change replaces (RequiresReplace on each attribute), except two modifiers:
 * `keepers` uses RequiresReplaceIfValuesNotNull (internal/planmodifiers/map/mapplanmodifiers.go: keys whose value
 * goes from absent to null replace nothing), and `overrideSpecial` uses RequiresReplaceUnlessEmptyStringToNull
 * (internal/planmodifiers/string/stringplanmodifier.go: "" to unset replaces nothing).
 */
export function randomDiff(args: { type: string; old: any; new: any; ignoreChanges?: string[] }): ResourceDiff {
  const defaults = DEFAULTS[args.type] ?? {};
  const raw = diffInputs({ ...defaults, ...args.old }, { ...defaults, ...args.new });
  const notes: string[] = [];
  const changes = withoutIgnored(raw.changes, args.ignoreChanges ?? [])
    .filter((c) => {
      if (c.path[0] === "keepers" && c.path.length === 2) return !(c.kind === "add" && c.new === null);
      if (c.path[0] === "overrideSpecial") return !(c.kind === "delete" && c.old === "");
      return true;
    })
    .map((c) => ({
      ...c,
      replace: true,
      because:
        c.path[0] === "keepers"
          ? "keepers: RequiresReplaceIfValuesNotNull"
          : c.path[0] === "overrideSpecial"
            ? "overrideSpecial: RequiresReplaceUnlessEmptyStringToNull"
            : `${String(c.path[0])}: RequiresReplace`,
    }));
  if (!(args.type in DEFAULTS) && changes.length)
    notes.push(
      "defaults of this random resource's optional inputs are not modelled: an input dropped counts as a change",
    );
  return {
    changes,
    replaces: [...new Set(changes.map((c) => formatPath(c.path.slice(0, 1))))],
    deleteBeforeReplace: false,
    uncomparable: raw.uncomparable,
    notes,
  };
}
