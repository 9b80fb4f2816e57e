// `node tools/stack-facts.ts --stack <name>`: what CI must know about a stack before it touches the stack's cluster
// or backend, as JSON, offline (no CLI, cluster or credentials): the context the stack is bound to, the resources it
// manages (for `kubectl auth can-i`), the secrets it needs, and whether CI may preview it without holding them.
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { PROJECT, requiredSecretKeys } from "../config.ts";
import { ROOT, kubernetesObjects, loadReviewConfig, runProgram } from "./offline.ts";

/** A resource type as `kubectl auth can-i` names it (`deployments.apps`), and where the stack keeps objects of it. */
export interface ManagedResource {
  kind: string;
  /** Plural resource name with its API group, as kubectl and RBAC rules name it; core kinds have no group. */
  resource: string;
  /** Namespaces the stack writes this kind into; empty for cluster-scoped kinds. */
  namespaces: string[];
}

export interface StackFacts {
  stack: string;
  kubeContext: string;
  /** What a preview identity must be able to get, list and watch (Secrets are left out on purpose, see below). */
  read: ManagedResource[];
  /** Where the stack keeps Secrets: a preview identity must not be able to read them. */
  secretNamespaces: string[];
  /** `<project>:<key>` secrets (config.ts SECRET_CONFIG_KEYS) the stack needs, set in its file or left to its backend. */
  secretsNeeded: string[];
  /** Keys the stack file holds as `secure:` values, and whether it imports a Pulumi ESC environment. */
  secureKeysInFile: string[];
  importsEnvironment: boolean;
  ciPreview: { allowed: boolean; reason: string };
}

/** `NetworkPolicy` → `networkpolicies`, `apps/v1` → `apps`: the lower-case plural RBAC and kubectl use. */
export function resourceName(apiVersion: string, kind: string): string {
  const lower = kind.toLowerCase();
  const plural = lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : lower.endsWith("s") ? `${lower}es` : `${lower}s`;
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  return group ? `${plural}.${group}` : plural;
}

/** The CI preview rule (README, "Pull requests and deploys"): no CI preview holds a stack's secrets. */
function previewRule(secretsNeeded: string[], secureKeys: string[], importsEnvironment: boolean) {
  const held = [...new Set([...secretsNeeded, ...secureKeys])].sort();
  if (held.length > 0)
    return {
      allowed: false,
      reason:
        `the stack needs ${held.join(", ")}, and every credential that lets \`pulumi preview\` run decrypts them ` +
        `(the passphrase decrypts the stack file and the state; a Pulumi Cloud token that may read the stack ` +
        `decrypts its \`secure:\` values and the state, where the program's providers record their credentials)`,
    };
  if (importsEnvironment)
    return {
      allowed: false,
      reason: "the stack file imports a Pulumi ESC environment, which only the deploy jobs may open",
    };
  return { allowed: true, reason: "the stack's config needs no secret" };
}

export async function stackFacts(stack: string, root = ROOT): Promise<StackFacts> {
  const file = YAML.parse(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) ?? {};
  const config = loadReviewConfig(stack, root);
  const run = await runProgram(config);
  const byResource = new Map<string, ManagedResource>();
  for (const o of kubernetesObjects(run)) {
    const resource = resourceName(o.apiVersion, o.kind);
    const entry: ManagedResource = byResource.get(resource) ?? { kind: o.kind, resource, namespaces: [] };
    const ns: string | undefined = o.metadata?.namespace;
    if (ns && !entry.namespaces.includes(ns)) entry.namespaces.push(ns);
    byResource.set(resource, entry);
  }
  const all = [...byResource.values()]
    .map((r) => ({ ...r, namespaces: r.namespaces.sort() }))
    .sort((a, b) => a.resource.localeCompare(b.resource));
  const secureKeysInFile = Object.entries<any>(file.config ?? {})
    .filter(([, v]) => v && typeof v === "object" && "secure" in v)
    .map(([k]) => k)
    .sort();
  const secretsNeeded = requiredSecretKeys(config.config).map((k) => `${PROJECT}:${k}`);
  const importsEnvironment = file.environment !== undefined && file.environment !== null;
  return {
    stack,
    kubeContext: config.config[`${PROJECT}:kubeContext`] ?? "",
    read: all.filter((r) => r.resource !== "secrets"),
    secretNamespaces: all.find((r) => r.resource === "secrets")?.namespaces ?? [],
    secretsNeeded,
    secureKeysInFile,
    importsEnvironment,
    ciPreview: previewRule(secretsNeeded, secureKeysInFile, importsEnvironment),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--stack");
  if (at < 0 || !args[at + 1] || args.length !== 2) {
    console.error("Usage: node tools/stack-facts.ts --stack <name>");
    process.exit(2);
  }
  stackFacts(args[at + 1]).then(
    (facts) => console.log(JSON.stringify(facts, null, 2)),
    (e: Error) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
