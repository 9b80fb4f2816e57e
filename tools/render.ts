// `npm run render -- --stack <name> [--out <dir>]`: writes what a stack would apply, with no CLI, cluster or credentials.
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import type { ProgramRun } from "./offline.ts";
import {
  REDACTED,
  ROOT,
  isKubernetesObject,
  loadReviewConfig,
  mapSecrets,
  runProgram,
  stackNames,
  stripSecretMarkers,
} from "./offline.ts";

/** Kinds in the order a reader (and `kubectl apply`) wants them: definitions and namespaces first. */
const KIND_ORDER = [
  "CustomResourceDefinition",
  "Namespace",
  "ServiceAccount",
  "Secret",
  "ConfigMap",
  "Role",
  "RoleBinding",
  "NetworkPolicy",
  "Service",
  "StatefulSet",
  "Deployment",
  "PodDisruptionBudget",
  "WorkflowTemplate",
];

/** Replaces every secret value by the redaction marker. */
const redactSecrets = (value: any) => mapSecrets(value, () => REDACTED);

/** Every Kubernetes object, Secret payloads redacted, sorted by kind order, namespace and name. */
export function manifests(run: ProgramRun): Record<string, any>[] {
  const rank = (kind: string) => (KIND_ORDER.includes(kind) ? KIND_ORDER.indexOf(kind) : KIND_ORDER.length);
  return run.resources
    .filter(isKubernetesObject)
    .map((r) => {
      const obj = stripSecretMarkers(r.inputs);
      if (obj.kind === "Secret") {
        // Every payload key stays visible to reviewers; no value does, whether or not it was marked secret.
        for (const field of ["data", "stringData"]) {
          if (obj[field]) obj[field] = Object.fromEntries(Object.keys(obj[field]).map((k) => [k, REDACTED]));
        }
        return obj;
      }
      return redactSecrets(r.inputs);
    })
    .sort(
      (a, b) =>
        rank(a.kind) - rank(b.kind) ||
        (a.metadata?.namespace ?? "").localeCompare(b.metadata?.namespace ?? "") ||
        a.metadata.name.localeCompare(b.metadata.name),
    );
}

/** Every Pulumi resource with its safety-relevant options and its inputs, secret values redacted. */
export function resourceReport(run: ProgramRun) {
  return {
    resources: run.resources
      .map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        ...(r.parent ? { parent: r.parent } : {}),
        protect: r.options.protect,
        retainOnDelete: r.options.retainOnDelete,
        deleteBeforeReplace: r.options.deleteBeforeReplace,
        dependsOn: [...r.options.dependsOn].sort(),
        inputs: redactSecrets(r.inputs),
      }))
      .sort((a, b) => a.urn.localeCompare(b.urn)),
    outputs: redactSecrets(run.outputs),
  };
}

export async function render(stack: string, outDir: string): Promise<{ objects: number; resources: number }> {
  const config = loadReviewConfig(stack);
  for (const w of config.warnings) console.warn(`warning: ${w}`);
  const run = await runProgram(config);
  const objects = manifests(run);
  fs.mkdirSync(outDir, { recursive: true });
  const yaml = objects.map((o) => YAML.stringify(o, { sortMapEntries: true })).join("---\n");
  fs.writeFileSync(path.join(outDir, "manifests.yaml"), yaml);
  fs.writeFileSync(path.join(outDir, "resources.json"), JSON.stringify(resourceReport(run), null, 2) + "\n");
  return { objects: objects.length, resources: run.resources.length };
}

function parseArgs(argv: string[]): { stack: string; out: string } {
  let stack: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--stack") stack = argv[++i];
    else if (argv[i] === "--out") out = argv[++i];
    else throw new Error(`Unknown argument ${argv[i]}. Usage: npm run render -- --stack <name> [--out <dir>]`);
  }
  if (!stack) throw new Error(`Missing --stack. Stacks here: ${stackNames().join(", ")}`);
  return { stack, out: out ?? path.join(ROOT, "rendered", stack) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  (async () => {
    const { stack, out } = parseArgs(process.argv.slice(2));
    const { objects, resources } = await render(stack, out);
    console.log(
      `${stack}: ${objects} Kubernetes objects, ${resources} Pulumi resources -> ${path.relative(process.cwd(), out) || "."}`,
    );
  })().catch((e: Error) => {
    // Config and template errors are meant for people: print the message alone.
    console.error(e.message);
    process.exit(1);
  });
}
