// Runs the Pulumi program in-process under Pulumi's mock runtime, for a stack file's config, and returns what it registers.
// Render, the tests and the benchmarks all go through here: one code path, no CLI, no cluster, no credentials.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";

export const ROOT = path.resolve(__dirname, "..");
/** Stands in for an encrypted (`secure:`) stack value, which cannot be decrypted without the stack's backend. */
export const SECURE_PLACEHOLDER = "offline-placeholder-for-secure-value";
/** Written in place of every Secret payload and every secret value in rendered output. */
export const REDACTED = "<redacted>";

export interface StackConfig {
  stack: string;
  /** `<namespace>:<key>` → value as the Pulumi CLI hands it to the program (strings; objects as JSON). */
  config: Record<string, string>;
  secretKeys: string[];
  warnings: string[];
}

/** Every stack file in the repository, by stack name. */
export function stackNames(root = ROOT): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();
}

/**
 * Reads `Pulumi.<stack>.yaml` the way the CLI would: the project's declared defaults (Pulumi.yaml `config:`) under
 * the stack's own values, every value as a string, and `secure:` values replaced by a placeholder (with a warning).
 */
export function loadStackConfig(stack: string, root = ROOT): StackConfig {
  const project = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file))
    throw new Error(`No stack file ${path.relative(root, file)} (stacks here: ${stackNames(root).join(", ")})`);
  const stackFile = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const warnings: string[] = [];
  for (const [key, decl] of Object.entries<any>(project.config ?? {})) {
    const full = key.includes(":") ? key : `${project.name}:${key}`;
    if (decl && typeof decl === "object" && "default" in decl) config[full] = stringify(decl.default);
  }
  for (const [key, value] of Object.entries<any>(stackFile.config ?? {})) {
    if (value && typeof value === "object" && "secure" in value) {
      config[key] = SECURE_PLACEHOLDER;
      secretKeys.push(key);
      warnings.push(`${key} is encrypted in Pulumi.${stack}.yaml; using a placeholder offline`);
    } else {
      config[key] = stringify(value);
    }
  }
  return { stack, config, secretKeys, warnings };
}

function stringify(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

export interface RegisteredResource {
  type: string;
  name: string;
  urn: string;
  /** URN of the parent, absent for top-level resources. */
  parent?: string;
  custom: boolean;
  /** Inputs as the engine would receive them; secret values are wrapped as `{ [SECRET]: value }`. */
  inputs: Record<string, any>;
  options: { protect: boolean; retainOnDelete: boolean; deleteBeforeReplace: boolean; dependsOn: string[] };
}

export interface ProgramRun {
  resources: RegisteredResource[];
  /** Stack outputs, with secret values wrapped as `{ [SECRET]: value }`. */
  outputs: Record<string, any>;
  /** With `createDelayMs`: time from the first create starting to the last one finishing. */
  createSpanMs?: number;
}

export interface RunOptions {
  /** Milliseconds each custom resource takes to "create"; used to count sequential creation waves. */
  createDelayMs?: number;
  /** The program module to run; defaults to the project's index.ts. */
  program?: string;
}

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/** Key of the wrapper that marks a secret value in what runProgram returns: `{ "<secret>": value }`. */
export const SECRET = "<secret>";

/** Turns Pulumi's wire form of secrets into `{ [SECRET]: value }`, so callers see what is marked secret. */
function unwrapSecrets(value: any): any {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value && typeof value === "object") {
    if (value[SIG_KEY] === SECRET_SIG) return { [SECRET]: unwrapSecrets(value.value) };
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

/** Values a real provider would compute, so outputs that depend on them resolve under mocks. */
function mockState(type: string, inputs: any): Record<string, any> {
  if (type === "random:index/randomPassword:RandomPassword") {
    return { ...inputs, result: `mock${"x".repeat(Math.max(0, (inputs.length ?? 32) - 4))}` };
  }
  return inputs;
}

/**
 * Runs the program for one stack configuration under Pulumi's mocks. The program module and everything it imports
 * from this repository are loaded afresh, so a process can run several configurations one after another.
 */
export async function runProgram(stack: StackConfig, options: RunOptions = {}): Promise<ProgramRun> {
  const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).name as string;
  pulumi.runtime.setAllConfig(stack.config, stack.secretKeys);
  const delay = options.createDelayMs ?? 0;
  let firstCreate: number | undefined;
  let lastCreated = 0;
  await pulumi.runtime.setMocks(
    {
      newResource: async ({ type, name, inputs, custom }) => {
        // Only real resources take time to create; components and provider configurations are bookkeeping.
        if (delay > 0 && custom && !type.startsWith("pulumi:providers:")) {
          firstCreate ??= performance.now();
          await new Promise((r) => setTimeout(r, delay));
          lastCreated = performance.now();
        }
        return { id: `${name}-id`, state: mockState(type, inputs) };
      },
      call: ({ inputs }) => inputs,
    },
    project,
    stack.stack,
    false,
  );

  // The mock monitor hands `newResource` only type, name and inputs; the resource options that matter for safety
  // (protect, retainOnDelete, dependsOn, ...) are on the request, so read them there.
  const resources: RegisteredResource[] = [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const rpc = require("@pulumi/pulumi/runtime/rpc");
  const monitor = settings.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: any) => {
    const entry: RegisteredResource = {
      type: req.getType(),
      name: req.getName(),
      urn: "",
      parent: req.getParent() || undefined,
      custom: req.getCustom(),
      inputs: unwrapSecrets(rpc.deserializeProperties(req.getObject(), true)),
      options: {
        protect: req.getProtect?.() ?? false,
        retainOnDelete: req.getRetainondelete?.() ?? false,
        deleteBeforeReplace: req.getDeletebeforereplace?.() ?? false,
        dependsOn: req.getDependenciesList(),
      },
    };
    resources.push(entry);
    return register(req, (err: unknown, response: any) => {
      if (response) entry.urn = response.getUrn();
      callback(err, response);
    });
  };

  const programPath = options.program ?? path.join(ROOT, "index.ts");
  for (const id of Object.keys(require.cache)) {
    if (id.startsWith(ROOT) && !id.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[id];
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(programPath);
    const exported =
      typeof mod === "function" ? await mod() : typeof mod.default === "function" ? await mod.default() : mod;
    const outputs = await resolveOutputs(exported ?? {});
    await settings.waitForRPCs();
    return { resources, outputs, createSpanMs: firstCreate === undefined ? 0 : lastCreated - firstCreate };
  } catch (e) {
    // What was registered before the failure, so tests can prove that bad input registers nothing.
    throw Object.assign(e as Error, { registered: resources });
  }
}

async function resolveOutputs(value: any): Promise<any> {
  if (pulumi.Output.isInstance(value)) {
    const secret = await pulumi.isSecret(value);
    const resolved = await new Promise<any>((resolve) => value.apply((v: any) => resolve(v)));
    const inner = await resolveOutputs(resolved);
    return secret ? { [SECRET]: inner } : inner;
  }
  if (value instanceof Promise) return resolveOutputs(await value);
  if (Array.isArray(value)) return Promise.all(value.map(resolveOutputs));
  if (value && typeof value === "object" && !(value instanceof pulumi.Resource)) {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await resolveOutputs(v)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

/** Whether a registered resource is a Kubernetes object that the stack would apply. */
export function isKubernetesObject(r: RegisteredResource): boolean {
  return r.custom && r.type.startsWith("kubernetes:") && !!r.inputs.kind;
}

/** The Kubernetes objects a run would apply, as plain manifests (secret markers removed). */
export function kubernetesObjects(run: ProgramRun): Record<string, any>[] {
  return run.resources.filter(isKubernetesObject).map((r) => stripSecretMarkers(r.inputs));
}

/** Replaces every `{ [SECRET]: v }` in `value` by `replace(v)`. */
export function mapSecrets(value: any, replace: (secret: any) => any): any {
  if (Array.isArray(value)) return value.map((v) => mapSecrets(v, replace));
  if (value && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === SECRET) return replace(value[SECRET]);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapSecrets(v, replace)]));
  }
  return value;
}

/** Replaces `{ [SECRET]: v }` with v, for callers that want plain manifests (tests reading values). */
export function stripSecretMarkers(value: any): any {
  return mapSecrets(value, (secret) => stripSecretMarkers(secret));
}
