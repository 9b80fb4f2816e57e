// How pulumi-postgresql decides: it bridges cyrilgdn/terraform-provider-postgresql at v1.26.0-3-gff936b9 (the
// `upstream` submodule of pulumi/pulumi-postgresql v3.18), where a change of an attribute marked ForceNew replaces
// the resource and every other change runs the resource's Update. Attributes are named here as the Pulumi SDK names
// them (lc_collate → lcCollate).
import type { ConfigDiff } from "./kubernetes-rules.ts";
import type { ResourceDiff } from "./diff.ts";
import { changedKeys, configStrings, diffInputs, formatPath, replaceEveryChange, withoutIgnored } from "./diff.ts";

interface Schema {
  /** Attributes marked ForceNew. */
  forceNew: Set<string>;
  /** Optional and Computed: unset in the program means "keep what the server has", not a change. */
  computed: Set<string>;
  /** TypeSet attributes: order does not matter. */
  sets: Set<string>;
  /** The bridge's ResourceInfo.DeleteBeforeReplace for this type (pulumi-postgresql provider/resources.go). */
  deleteBeforeReplace: boolean;
  source: string;
}

export const POSTGRESQL_SCHEMAS: Record<string, Schema> = {
  // postgresql/resource_postgresql_role.go resourcePostgreSQLRole: no attribute is ForceNew; Update renames the
  // role (setRoleName: ALTER ROLE ... RENAME TO) and sets the password and every flag in place.
  "postgresql:index/role:Role": {
    forceNew: new Set(),
    computed: new Set(),
    sets: new Set(["roles"]),
    deleteBeforeReplace: false,
    source: "resource_postgresql_role.go resourcePostgreSQLRole",
  },
  // postgresql/resource_postgresql_database.go resourcePostgreSQLDatabase: template, encoding, lc_collate and
  // lc_ctype are ForceNew; the name (setDBName: ALTER DATABASE ... RENAME TO), owner, tablespace, connection limit,
  // allow_connections and is_template are updated in place.
  "postgresql:index/database:Database": {
    forceNew: new Set(["template", "encoding", "lcCollate", "lcCtype"]),
    computed: new Set(["owner", "template", "encoding", "lcCollate", "lcCtype", "tablespaceName", "isTemplate"]),
    sets: new Set(),
    deleteBeforeReplace: false,
    source: "resource_postgresql_database.go resourcePostgreSQLDatabase",
  },
  // postgresql/resource_postgresql_grant.go resourcePostgreSQLGrant: everything but `privileges` is ForceNew, and
  // pulumi-postgresql's provider/resources.go sets DeleteBeforeReplace for postgresql_grant.
  "postgresql:index/grant:Grant": {
    forceNew: new Set(["role", "database", "schema", "objectType", "objects", "columns", "withGrantOption"]),
    computed: new Set(),
    sets: new Set(["objects", "columns", "privileges"]),
    deleteBeforeReplace: true,
    source: "resource_postgresql_grant.go resourcePostgreSQLGrant",
  },
};

const sortedIfSet = (schema: Schema, inputs: Record<string, any>) =>
  Object.fromEntries(
    Object.entries(inputs ?? {}).map(([k, v]) => [
      k,
      schema.sets.has(k) && Array.isArray(v) ? [...v].map(String).sort() : v,
    ]),
  );

export function postgresqlDiff(args: { type: string; old: any; new: any; ignoreChanges?: string[] }): ResourceDiff {
  const schema = POSTGRESQL_SCHEMAS[args.type];
  if (!schema) {
    // Not confirmed from the provider's schema here: every change is counted as a replacement, and said so.
    return replaceEveryChange(
      args,
      "not confirmed: treated as replacing",
      `${args.type}: which inputs force replacement is not confirmed here; every change is counted as one`,
    );
  }
  const raw = diffInputs(sortedIfSet(schema, args.old), sortedIfSet(schema, args.new));
  const changes = withoutIgnored(raw.changes, args.ignoreChanges ?? [])
    // An Optional+Computed attribute dropped from the program keeps the server's value: no diff in Terraform.
    .filter((c) => !(c.kind === "delete" && c.path.length === 1 && schema.computed.has(String(c.path[0]))))
    .map((c) => {
      const replace = schema.forceNew.has(String(c.path[0]));
      return { ...c, replace, because: replace ? `${String(c.path[0])}: ForceNew (${schema.source})` : undefined };
    });
  return {
    changes,
    replaces: [...new Set(changes.filter((c) => c.replace).map((c) => formatPath(c.path.slice(0, 1))))],
    deleteBeforeReplace: schema.deleteBeforeReplace,
    uncomparable: raw.uncomparable,
    notes: [],
  };
}

/**
 * A bridged provider's configuration change (pulumi-terraform-bridge pkg/tfbridge/provider.go configDiffer.DiffConfig)
 * replaces the provider only for config fields whose SchemaInfo sets ForcesProviderReplace. pulumi-postgresql
 * (provider/resources.go Config: sslmode, connect_timeout) and pulumi-random (no config) set none: the provider is
 * updated in place, and the roles and databases on it are not moved. A new `host` points them at another server.
 */
export function bridgedDiffConfig(
  pkg: string,
  oldInputs: Record<string, unknown>,
  newInputs: Record<string, unknown>,
): ConfigDiff {
  const olds = configStrings(oldInputs);
  const news = configStrings(newInputs);
  const diffs = changedKeys(olds, news);
  const reasons = diffs.length
    ? [`${pkg} provider: no config field forces replacement (bridge DiffConfig: ForcesProviderReplace is set on none)`]
    : [];
  if (pkg === "postgresql" && diffs.some((d) => ["host", "port", "database"].includes(d)))
    reasons.push("the roles and databases on it are not recreated on the new server: their state points there");
  return { diffs, replaces: [], reasons };
}
