// Runs the Pulumi program in-process under Pulumi's mock runtime, for a stack configuration, and returns what it registers.
// Besides its own files it loads only what the language host loads before a program, the SDK through require (as
// `cmd/run` in @pulumi/pulumi does), and none of the program's modules or dependencies (reading stack files is
// tools/offline.ts's job): a test that looks at what a run loads (tests/hygiene.test.ts) sees the program's own.
import { createRequire } from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type * as Pulumi from "@pulumi/pulumi";
import type { AliasSpec } from "./sdk-internals.ts";
import { sdkInternals } from "./sdk-internals.ts";
import { STACK_TYPE, engineUrn, isProviderType } from "./urn.ts";

export { engineUrn };

const pulumi: typeof Pulumi = createRequire(import.meta.url)("@pulumi/pulumi");

export const ROOT = path.resolve(import.meta.dirname, "..");

export interface StackConfig {
  /** The project name (Pulumi.yaml `name`). */
  project: string;
  stack: string;
  /** `<namespace>:<key>` → value as the Pulumi CLI hands it to the program (strings; objects as JSON). */
  config: Record<string, string>;
  secretKeys: string[];
  warnings: string[];
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
  options: {
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    /** Whether the program set deleteBeforeReplace at all: when it did, its value overrides the provider's choice. */
    deleteBeforeReplaceDefined: boolean;
    /** Every resource this one waits for: explicit dependsOn and the resources whose outputs it reads. */
    dependsOn: string[];
    /** Provider reference (`<urn>::<id>`) for custom resources, when the engine would not pick a default one. */
    provider?: string;
    /** Provider plugin version the SDK asks for ("" when none); the engine names a default provider after it. */
    version: string;
    /** Every alias as the URN the engine would look the old resource up by (see aliasUrn). */
    aliases: string[];
    ignoreChanges: string[];
    replaceOnChanges: string[];
  };
}

export interface ProgramRun {
  /** The stack configuration the program ran with (its `project` is Pulumi.yaml's name). */
  stack: StackConfig;
  resources: RegisteredResource[];
  /** Stack outputs, with secret values wrapped as `{ [SECRET]: value }`. */
  outputs: Record<string, any>;
  /** Every component's exposed fields and registered outputs. */
  components: ComponentOutputs[];
  /** With `countWaves`: how many batches of creates a deploy takes (see WaveGate). */
  waves?: number;
}

export interface RunOptions {
  /** Count sequential creation waves (slower: every create waits for the program to go quiet). */
  countWaves?: boolean;
  /** The program module to run; defaults to `<root>/index.ts`. */
  program?: string;
  /** The project directory (Pulumi.yaml, the program); defaults to this repository. */
  root?: string;
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
 * Holds every create until the program has nothing left to register, then lets the whole batch through: one wave.
 * "Nothing left" is counted in event-loop turns with no new registration, never in time, so the count is the same
 * on an idle and on a loaded machine. A real engine creates the same batches: a resource is registered only when the
 * outputs it reads are known, that is when the resources it depends on have been created.
 */
class WaveGate {
  private held: (() => void)[] = [];
  private activity = 0;
  waves = 0;

  /** Called for each registration and each create; resolves when the create may finish. */
  hold(): Promise<void> {
    this.activity++;
    return new Promise((release) => this.held.push(release));
  }

  touch(): void {
    this.activity++;
  }

  /**
   * Releases batches until the program has returned and nothing more is registered or held. Resources may still
   * register after the stack's outputs are known (those no output depends on): they are creates like the others.
   */
  async drive(finished: Promise<unknown>): Promise<void> {
    let done = false;
    void finished.finally(() => (done = true)).catch(() => undefined);
    const QUIET_TURNS = 50;
    for (;;) {
      let quiet = 0;
      let seen = this.activity;
      while (quiet < QUIET_TURNS) {
        await new Promise<void>((r) => setImmediate(r));
        if (this.activity === seen) quiet++;
        else [quiet, seen] = [0, this.activity];
      }
      if (this.held.length) {
        this.waves++;
        for (const release of this.held.splice(0)) release();
      } else if (done) {
        return;
      } else {
        // Waiting on something other than a create: give it time. (While creates are held, the program does no
        // I/O that could pass for quiet: templates are read synchronously, and Node >= 24 completes the mid-run
        // `import()` of external.ts within the same event-loop turn, as measured with the module not yet loaded.)
        await new Promise((r) => setTimeout(r, 1));
      }
    }
  }
}

/** What a component exposes (its public fields) and what it registered as outputs. */
export interface ComponentOutputs {
  type: string;
  name: string;
  exposed: string[];
  registered: string[];
}

let recordComponent: ((component: object, outputs: unknown) => void) | undefined;
// registerOutputs is public API; wrapping it once lets every run see what each component registers. The SDK calls it
// too, with nothing, once a component is constructed; a component's own call names its outputs.
const registerOutputs = pulumi.ComponentResource.prototype["registerOutputs"];
pulumi.ComponentResource.prototype["registerOutputs"] = function (this: object, outputs?: any) {
  recordComponent?.(this, outputs);
  return registerOutputs.call(this, outputs);
};

/** Per component seen in a run: its public fields at the end of the run, and every output name it registered. */
function componentOutputs(seen: Map<any, Set<string>>): ComponentOutputs[] {
  return [...seen].map(([c, registered]) => ({
    type: c.__pulumiType,
    name: c.__name,
    exposed: Object.keys(c).filter((k) => !k.startsWith("__") && k !== "urn"),
    registered: [...registered],
  }));
}

// One program run at a time: the mocks, the config and the monitor are process-wide.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs the program for one stack configuration under Pulumi's mocks, loaded and invoked as the language host does
 * (an ES module whose default export is called inside the root Stack resource). ES modules are loaded once per
 * process; the program reads its config when it is called, so one process can run several configurations in turn.
 */
export function runProgram(stack: StackConfig, options: RunOptions = {}): Promise<ProgramRun> {
  const result = queue.then(() => runOnce(stack, options));
  queue = result.catch(() => undefined);
  return result;
}

async function runOnce(stack: StackConfig, options: RunOptions): Promise<ProgramRun> {
  const root = options.root ?? ROOT;
  const project = stack.project;
  const sdk = sdkInternals();
  pulumi.runtime.setAllConfig(stack.config, stack.secretKeys);
  const gate = options.countWaves ? new WaveGate() : undefined;
  await pulumi.runtime.setMocks(
    {
      newResource: async ({ type, name, inputs, custom }) => {
        // Only real resources take a create; components and provider configurations are bookkeeping.
        if (gate && custom && !isProviderType(type)) await gate.hold();
        return { id: `${name}-id`, state: mockState(type, inputs) };
      },
      call: ({ inputs }) => inputs,
    },
    project,
    stack.stack,
    false,
  );

  const resources: RegisteredResource[] = [];
  const components = new Map<any, Set<string>>();
  recordComponent = (c, outputs) => {
    const names = components.get(c) ?? new Set<string>();
    if (outputs && typeof outputs === "object" && !pulumi.Output.isInstance(outputs))
      for (const k of Object.keys(outputs)) names.add(k);
    components.set(c, names);
  };
  const monitor = sdk.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  // URNs as the engine makes them (tools/urn.ts): the mock monitor prefixes the root Stack and keeps only the
  // parent's own type; plans compare URNs across runs and name them in commands, so they must be the engine's.
  // The mock keeps resources by its own URNs: a component's registerOutputs must reach it by that one.
  const mockUrns = new Map<string, string>();
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, callback) => {
    const mock = mockUrns.get(req.getUrn());
    if (mock) req.setUrn(mock);
    return registerOutputs(req, callback);
  };
  monitor.registerResource = (req, callback) => {
    gate?.touch();
    let inputs: Record<string, any> | undefined;
    const entry: RegisteredResource = {
      type: req.getType(),
      name: req.getName(),
      urn: "",
      parent: req.getParent() || undefined,
      custom: req.getCustom(),
      // Read when first asked for: the engine, not the program, pays for reading inputs, so the start-up benchmark
      // (which never reads them) measures what a real `pulumi preview` spends in the program.
      get inputs() {
        return (inputs ??= unwrapSecrets(sdk.deserializeProperties(req.getObject(), true)));
      },
      options: {
        protect: req.getProtect() ?? false,
        retainOnDelete: req.getRetainondelete() ?? false,
        deleteBeforeReplace: req.getDeletebeforereplace(),
        deleteBeforeReplaceDefined: req.getDeletebeforereplacedefined(),
        dependsOn: req.getDependenciesList(),
        provider: req.getProvider() || undefined,
        version: req.getVersion(),
        aliases: req
          .getAliasesList()
          .map((a) => a.getUrn() || aliasUrn(a.getSpec(), req, { stack: stack.stack, project })),
        ignoreChanges: req.getIgnorechangesList(),
        replaceOnChanges: req.getReplaceonchangesList(),
      },
    };
    resources.push(entry);
    return register(req, (err, response) => {
      if (response) {
        if (entry.type !== STACK_TYPE) {
          const urn = engineUrn(stack.stack, project, entry.parent, entry.type, entry.name);
          mockUrns.set(urn, response.getUrn());
          response.setUrn(urn);
        }
        entry.urn = response.getUrn();
      }
      callback(err, response);
    });
  };

  const programPath = options.program ?? path.join(root, "index.ts");
  try {
    const mod = await import(pathToFileURL(programPath).href);
    if (typeof mod.default !== "function")
      throw new Error(`${programPath} must default-export the program function (as the language host calls it)`);
    const finished = sdk.runInPulumiStack(async () => resolveOutputs(await mod.default()));
    const driving = gate?.drive(finished);
    const outputs = await finished;
    await driving;
    await sdk.waitForRPCs();
    return {
      stack,
      resources,
      outputs: outputs ?? {},
      components: componentOutputs(components),
      ...(gate ? { waves: gate.waves } : {}),
    };
  } catch (e) {
    // What was registered before the failure, so tests can prove that bad input registers nothing.
    throw Object.assign(e as Error, { registered: resources });
  } finally {
    recordComponent = undefined;
  }
}

/**
 * The URN an alias given as parts stands for, by the engine's rules (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go collapseAliasToUrn): each empty part is the resource's own name, type,
 * stack or project; the parent is the alias's, else the resource's, unless the alias says it had none.
 */
function aliasUrn(
  spec: AliasSpec | undefined,
  req: { getName(): string; getType(): string; getParent(): string },
  current: { stack: string; project: string },
): string {
  if (!spec) throw new Error(`${req.getType()} ${req.getName()}: an alias with neither a URN nor a spec`);
  const parent = spec.getNoparent() ? undefined : spec.getParenturn() || req.getParent() || undefined;
  return engineUrn(
    spec.getStack() || current.stack,
    spec.getProject() || current.project,
    parent,
    spec.getType() || req.getType(),
    spec.getName() || req.getName(),
  );
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

/** Replaces every `{ [SECRET]: v }` in `value` by `replace(v, path)`, `path` being where it sits (joinPath). */
export function mapSecrets(value: any, replace: (secret: any, path: string) => any, path = ""): any {
  if (Array.isArray(value)) return value.map((v, i) => mapSecrets(v, replace, joinPath(path, i)));
  if (value && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === SECRET) return replace(value[SECRET], path);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapSecrets(v, replace, joinPath(path, k))]));
  }
  return value;
}

/** `a.b[0].c`: the key path of a value inside an object, as reports name it. */
export const joinPath = (path: string, key: string | number) =>
  typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/** Replaces `{ [SECRET]: v }` with v, for callers that want plain manifests (tests reading values). */
export function stripSecretMarkers(value: any): any {
  return mapSecrets(value, (secret) => stripSecretMarkers(secret));
}
