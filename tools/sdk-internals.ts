// The one place the offline runner reaches past @pulumi/pulumi's public API; each use is checked when it is loaded.
//
// Pulumi's mocks (`pulumi.runtime.setMocks`) hand a mock only a resource's type, name and inputs. What a reviewer
// needs to see besides (protect, retainOnDelete, dependencies, aliases, provider) is on the registration request, so
// the runner wraps the mock monitor's `registerResource`. And it runs the program inside the root Stack resource as
// the language host does (`cmd/run/run.js` calls `runInPulumiStack`), which the public API does not export.
// An upgrade of @pulumi/pulumi that moves any of these must fail loudly here, not blind the tests quietly:
// `sdkInternals()` throws naming what is missing, and tests/hygiene.test.ts calls it on every run.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The fields of a RegisterResourceRequest the runner reads (`proto/resource_pb.d.ts`). */
export const REQUEST_GETTERS = [
  "getType",
  "getName",
  "getParent",
  "getCustom",
  "getObject",
  "getProtect",
  "getRetainondelete",
  "getDeletebeforereplace",
  "getDeletebeforereplacedefined",
  "getDependenciesList",
  "getProvider",
  "getAliasesList",
  "getIgnorechangesList",
  "getReplaceonchangesList",
  "getVersion",
] as const;

/** The fields of an alias spec the runner reads to turn it into the URN the engine would look up. */
export const ALIAS_SPEC_GETTERS = [
  "getName",
  "getType",
  "getStack",
  "getProject",
  "getParenturn",
  "getNoparent",
] as const;

export interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): unknown;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getDeletebeforereplace(): boolean;
  getDeletebeforereplacedefined(): boolean;
  getDependenciesList(): string[];
  getProvider(): string;
  getAliasesList(): { getUrn(): string; getSpec(): AliasSpec | undefined }[];
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  /** The provider plugin version the SDK asks for (a default provider's name is derived from it). */
  getVersion(): string;
}

/** An alias given as parts (`proto/alias_pb.d.ts` Alias.Spec): an empty part means "the resource's own". */
export interface AliasSpec {
  getName(): string;
  getType(): string;
  getStack(): string;
  getProject(): string;
  getParenturn(): string;
  getNoparent(): boolean;
}

export interface Monitor {
  registerResource(
    req: RegisterRequest,
    callback: (err: unknown, response: { getUrn(): string; setUrn(urn: string): unknown } | undefined) => void,
  ): void;
  /** A component's outputs, by the URN its registration was answered with. */
  registerResourceOutputs(req: { getUrn(): string; setUrn(urn: string): unknown }, callback: unknown): void;
}

export interface SdkInternals {
  /** The resource monitor that `setMocks` installed. */
  getMonitor(): Monitor;
  /** Resolves once every outstanding registration has been answered. */
  waitForRPCs(): Promise<void>;
  /** Pulumi's wire form of a property struct to plain values (secrets stay wrapped in Pulumi's marker). */
  deserializeProperties(struct: unknown, keepUnknowns: boolean): Record<string, any>;
  /** Runs `init` as the language host does: inside the root Stack resource, whose outputs are what it returns. */
  runInPulumiStack(init: () => Promise<any>): Promise<any>;
}

export function need<T>(module: string, member: string, what: string): T {
  let loaded: Record<string, unknown>;
  try {
    loaded = require(module);
  } catch (e) {
    throw sdkMoved(`${module} (${(e as Error).message})`, what);
  }
  if (typeof loaded[member] !== "function") throw sdkMoved(`${module} export ${member}`, what);
  return loaded[member] as T;
}

function sdkMoved(missing: string, what: string): Error {
  const version = require("@pulumi/pulumi/package.json").version;
  return new Error(
    `@pulumi/pulumi ${version} no longer provides ${missing}, which the offline runner uses to ${what}. ` +
      `Update tools/sdk-internals.ts for this SDK version (or pin the previous one in package.json).`,
  );
}

/** Loads and checks every internal the runner relies on; throws one clear error naming the first that moved. */
export function sdkInternals(): SdkInternals {
  const getMonitor = need<() => Monitor | undefined>(
    "@pulumi/pulumi/runtime/settings",
    "getMonitor",
    "read resource options",
  );
  const waitForRPCs = need<() => Promise<void>>(
    "@pulumi/pulumi/runtime/settings",
    "waitForRPCs",
    "await registrations",
  );
  const deserializeProperties = need<SdkInternals["deserializeProperties"]>(
    "@pulumi/pulumi/runtime/rpc",
    "deserializeProperties",
    "read resource inputs",
  );
  const runInPulumiStack = need<SdkInternals["runInPulumiStack"]>(
    "@pulumi/pulumi/runtime/stack",
    "runInPulumiStack",
    "run the program inside its Stack resource",
  );
  const request = need<new () => Record<string, unknown>>(
    "@pulumi/pulumi/proto/resource_pb",
    "RegisterResourceRequest",
    "read registration requests",
  );
  for (const getter of REQUEST_GETTERS) {
    if (typeof request.prototype[getter] !== "function")
      throw sdkMoved(`RegisterResourceRequest.${getter}`, "read resource options");
  }
  const alias = need<{ Spec?: { prototype: Record<string, unknown> } }>(
    "@pulumi/pulumi/proto/alias_pb",
    "Alias",
    "read aliases",
  );
  for (const getter of ALIAS_SPEC_GETTERS) {
    if (typeof alias.Spec?.prototype[getter] !== "function") throw sdkMoved(`Alias.Spec.${getter}`, "read aliases");
  }
  return {
    getMonitor: () => {
      const monitor = getMonitor();
      if (
        !monitor ||
        typeof monitor.registerResource !== "function" ||
        typeof monitor.registerResourceOutputs !== "function"
      )
        throw sdkMoved("a mock monitor with registerResource(Outputs) after setMocks", "read resource options");
      return monitor;
    },
    waitForRPCs,
    deserializeProperties,
    runInPulumiStack,
  };
}
