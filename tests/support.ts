// Shared by the tests: run a stack (or a stack with changed config) once, and look its objects up.
import * as fs from "node:fs";
import * as path from "node:path";
import type { ProgramRun, RegisteredResource, StackConfig } from "../tools/offline.ts";
import { kubernetesObjects, loadReviewConfig, projectCopy, runProgram, stackNames } from "../tools/offline.ts";
import type { ResourceReport } from "../tools/render.ts";

export { projectCopy, stackNames };

export const PROJECT = "argo-platform";

const cache = new Map<string, Promise<ProgramRun>>();

/** Runs a stack file's config, with `overrides` (`key` → value in the project namespace; undefined deletes). */
export function run(stack: string, overrides: Record<string, string | undefined> = {}): Promise<ProgramRun> {
  const key = `${stack} ${JSON.stringify(overrides)}`;
  if (!cache.has(key)) cache.set(key, runProgram(withOverrides(loadReviewConfig(stack), overrides)));
  return cache.get(key)!;
}

export function withOverrides(stack: StackConfig, overrides: Record<string, string | undefined>): StackConfig {
  const config = { ...stack.config };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete config[`${PROJECT}:${k}`];
    else config[`${PROJECT}:${k}`] = v;
  }
  return { ...stack, config };
}

/** A stack's run with templates changed, from a temporary copy of the project. */
export async function withTemplates(stack: string, change: (dir: string) => void): Promise<ProgramRun> {
  const copy = projectCopy();
  try {
    change(path.join(copy.root, "templates"));
    return await runProgram(loadReviewConfig(stack, copy.root), { root: copy.root });
  } finally {
    copy.remove();
  }
}

/** In a templates directory: adds `<to>.yaml`, a copy of `<from>.yaml` whose metadata.name is `to`. */
export function copyTemplate(dir: string, from: string, to: string): void {
  const text = fs.readFileSync(path.join(dir, `${from}.yaml`), "utf8");
  fs.writeFileSync(
    path.join(dir, `${to}.yaml`),
    text.replace(new RegExp(`^(\\s*)name: ${from}$`, "m"), `$1name: ${to}`),
  );
}

/** The stack as this program deployed it before it had its own provider: every object on the default provider. */
export async function onDefaultProvider(report: ResourceReport): Promise<ResourceReport> {
  const version: string = (await import("@pulumi/kubernetes/package.json", { with: { type: "json" } })).default.version;
  const base: ResourceReport = JSON.parse(JSON.stringify(report));
  const urn = `urn:pulumi:${report.stack}::${PROJECT}::pulumi:providers:kubernetes::default_${version.replaceAll(".", "_")}`;
  base.resources = base.resources.filter(
    (r) => r.type !== "pulumi:providers:kubernetes" && r.type !== "argo-platform:index:ClusterBinding",
  );
  for (const r of base.resources) if (r.type.startsWith("kubernetes:")) r.provider = urn;
  base.defaultProviders = [
    ...(base.defaultProviders ?? []),
    { urn, package: "kubernetes", version, inputs: { version } },
  ];
  return base;
}

export type K8sObject = Record<string, any>;

export function objects(r: ProgramRun, kind?: string): K8sObject[] {
  return kubernetesObjects(r).filter((o) => !kind || o.kind === kind);
}

export function object(r: ProgramRun, kind: string, name: string, namespace?: string): K8sObject {
  const found = objects(r, kind).filter(
    (o) => o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace),
  );
  if (found.length !== 1) throw new Error(`expected one ${kind} ${namespace ?? "*"}/${name}, found ${found.length}`);
  return found[0];
}

export function resource(r: ProgramRun, type: string, name: string): RegisteredResource {
  const found = r.resources.filter((x) => x.type === type && x.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} ${name}, found ${found.length}`);
  return found[0];
}

/** Every pod template (and its containers) in the objects: Deployments, StatefulSets. */
export function podSpecs(r: ProgramRun): { owner: string; spec: K8sObject }[] {
  return objects(r)
    .filter((o) => o.spec?.template?.spec)
    .map((o) => ({ owner: `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, spec: o.spec.template.spec }));
}
