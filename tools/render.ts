// `npm run render -- --stack <name> [--out <dir>]`: writes what a stack would apply, with no CLI, cluster or credentials.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import type { ProgramRun, RegisteredResource } from "./offline.ts";
import {
  REDACTED,
  ROOT,
  isKubernetesObject,
  joinPath,
  loadReviewConfig,
  mapSecrets,
  runProgram,
  stackNames,
  stripSecretMarkers,
} from "./offline.ts";
import { engineUrn, isProviderType, packageOf, providerType } from "./urn.ts";

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

/**
 * Stands in for a secret value in resources.json: `<redacted sha256:` and the first 12 hex digits of SHA-256 over the
 * stack name, the value's key path and the value, then `>`. Two renders of one stack show the same digest for the
 * same value at the same place, so a plan can say that a secret changed without saying what it is.
 *
 * Why this leaks nothing useful: the passwords this program generates are 32 characters from 62 symbols (~190 bits);
 * neither 48 bits of a hash nor the whole hash brings that search space within reach, and the salt (stack and key
 * path) makes anything precomputed for one stack or key useless for another. A guessable value (a word, a short PIN)
 * could be confirmed by guessing and comparing digests, which is why no real secret reaches this file: offline,
 * `secure:` stack values are replaced by a placeholder before the program runs, and the mock provider's generated
 * passwords are constant ("mock" and "x"s, see tools/runner.ts mockState). A digest therefore changes when the
 * program puts a different (placeholder or derived) value in a place; a real rotation shows as the RandomPassword's
 * replacement instead. Keep the key-path format stable: changing it makes every secret look changed across it.
 */
export function secretDigest(stack: string, keyPath: string, value: unknown): string {
  const hash = crypto
    .createHash("sha256")
    .update(`${stack}\0${keyPath}\0${canonicalJson(value)}`)
    .digest("hex");
  return `<redacted sha256:${hash.slice(0, 12)}>`;
}

/** JSON with object keys sorted, so equal values hash equally whatever order their keys were built in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value) ?? "null";
}

/** Replaces every secret value (`{ [SECRET]: v }`) by its digest, salted with its key path. */
function digestSecrets(value: any, stack: string): any {
  return mapSecrets(value, (secret, path) => secretDigest(stack, path, stripSecretMarkers(secret)));
}

/** A resource's inputs for the report: a Secret's payload keys stay visible with a digest per value; other secrets digested. */
function reportedInputs(r: RegisteredResource, stack: string): Record<string, any> {
  if (!(isKubernetesObject(r) && r.inputs.kind === "Secret")) return digestSecrets(r.inputs, stack);
  const inputs = digestSecrets({ ...r.inputs, data: undefined, stringData: undefined }, stack);
  for (const field of ["data", "stringData"]) {
    const payload = stripSecretMarkers(r.inputs[field]);
    if (payload && typeof payload === "object")
      inputs[field] = Object.fromEntries(
        Object.entries(payload).map(([k, v]) => [k, secretDigest(stack, joinPath(field, k), v)]),
      );
    else delete inputs[field];
  }
  return inputs;
}

/** What the engine names a default provider: `default` and the requested plugin version (providers.DefaultName). */
export function defaultProviderName(version: string): string {
  const v = /^v?(\d+)\.(\d+)\.(\d+)(?:-([^+]+))?(?:\+(.+))?$/.exec(version);
  if (!v) return "default";
  const parts = [v[1], v[2], v[3], ...(v[4]?.split(".") ?? []), ...(v[5]?.split(".") ?? [])];
  return `default_${parts.join("_")}`;
}

/**
 * The default provider the engine would use for a custom resource registered without an explicit one:
 * `urn:pulumi:<stack>::<project>::pulumi:providers:<package>::default_<version>` (pulumi/pulumi
 * pkg/resource/deploy/providers/provider.go DefaultName). Undefined for components and provider resources.
 */
export function defaultProviderUrn(run: Pick<ProgramRun, "stack">, r: RegisteredResource) {
  if (!r.custom || r.options.provider || isProviderType(r.type)) return undefined;
  const pkg = packageOf(r.type);
  return engineUrn(
    run.stack.stack,
    run.stack.project,
    undefined,
    providerType(pkg),
    defaultProviderName(r.options.version),
  );
}

/** A resource as resources.json reports it. Fields after `inputs` were added later; older reports lack them. */
export interface ReportedResource {
  type: string;
  name: string;
  urn: string;
  parent?: string;
  protect: boolean;
  retainOnDelete: boolean;
  deleteBeforeReplace: boolean;
  dependsOn: string[];
  inputs: Record<string, any>;
  /** False for components and the Stack. */
  custom?: boolean;
  /** `<urn>::<id>` of an explicit provider, or the URN of the default provider the engine would pick. */
  provider?: string;
  deleteBeforeReplaceDefined?: boolean;
  /** URNs the engine would look the resource up by when its own URN is not in the previous state. */
  aliases?: string[];
  ignoreChanges?: string[];
  replaceOnChanges?: string[];
}

/** A default provider's configuration: the stack's `<package>:<key>` config values, as the engine passes them. */
export interface DefaultProvider {
  urn: string;
  package: string;
  version: string;
  inputs: Record<string, string>;
}

export interface ResourceReport {
  stack?: string;
  project?: string;
  defaultProviders?: DefaultProvider[];
  resources: ReportedResource[];
  outputs: Record<string, any>;
}

/** Every Pulumi resource with its safety-relevant options and its inputs, secret values redacted. */
export function resourceReport(run: ProgramRun): ResourceReport {
  const stack = run.stack.stack;
  const defaults = new Map<string, DefaultProvider>();
  for (const r of run.resources) {
    const urn = defaultProviderUrn(run, r);
    if (!urn || defaults.has(urn)) continue;
    const pkg = packageOf(r.type);
    const inputs: Record<string, string> = r.options.version ? { version: r.options.version } : {};
    for (const [key, value] of Object.entries(run.stack.config)) {
      if (!key.startsWith(`${pkg}:`)) continue;
      const k = key.slice(pkg.length + 1);
      inputs[k] = run.stack.secretKeys.includes(key) ? secretDigest(stack, `config.${key}`, value) : value;
    }
    defaults.set(urn, { urn, package: pkg, version: r.options.version, inputs });
  }
  return {
    stack,
    project: run.stack.project,
    defaultProviders: [...defaults.values()].sort((a, b) => a.urn.localeCompare(b.urn)),
    resources: run.resources
      .map((r): ReportedResource => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        ...(r.parent ? { parent: r.parent } : {}),
        protect: r.options.protect,
        retainOnDelete: r.options.retainOnDelete,
        deleteBeforeReplace: r.options.deleteBeforeReplace,
        dependsOn: [...r.options.dependsOn].sort(),
        inputs: reportedInputs(r, stack),
        custom: r.custom,
        ...(r.custom && !isProviderType(r.type) ? { provider: r.options.provider ?? defaultProviderUrn(run, r) } : {}),
        deleteBeforeReplaceDefined: r.options.deleteBeforeReplaceDefined,
        aliases: r.options.aliases,
        ignoreChanges: r.options.ignoreChanges,
        replaceOnChanges: r.options.replaceOnChanges,
      }))
      .sort((a, b) => a.urn.localeCompare(b.urn)),
    outputs: digestSecrets(run.outputs, stack),
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
