// Shared by the tests: run a stack (or a stack with changed config) once, and look its objects up.
import type { ProgramRun, RegisteredResource, StackConfig } from "../tools/offline.ts";
import { kubernetesObjects, loadReviewConfig, projectCopy, runProgram, stackNames } from "../tools/offline.ts";

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
