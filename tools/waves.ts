// Counts sequential creation waves: from the dependency graph (the lower bound) and by a gated mock deploy.
import type { ProgramRun, RegisteredResource } from "./offline.ts";
import { loadReviewConfig, runProgram } from "./offline.ts";
import { isProviderType } from "./urn.ts";

/** Longest chain of custom resources through their dependencies (a component stands for all its descendants). */
export function dependencyDepth(run: ProgramRun): number {
  const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
  const children = new Map<string, RegisteredResource[]>();
  for (const r of run.resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const customUnder = (urn: string): RegisteredResource[] => {
    const r = byUrn.get(urn);
    if (!r) return [];
    return r.custom ? [r] : (children.get(urn) ?? []).flatMap((c) => customUnder(c.urn));
  };
  const depth = new Map<string, number>();
  const visit = (r: RegisteredResource): number => {
    if (depth.has(r.urn)) return depth.get(r.urn)!;
    const deps = r.options.dependsOn.flatMap(customUnder);
    const own = isProviderType(r.type) ? 0 : 1;
    const d = own + Math.max(0, ...deps.map(visit));
    depth.set(r.urn, d);
    return d;
  };
  return Math.max(...run.resources.filter((r) => r.custom).map(visit));
}

/** Runs the stack counting creation waves (deterministically: see WaveGate in runner.ts), next to the lower bound. */
export async function measuredWaves(stack: string): Promise<{ waves: number; lowerBound: number; resources: number }> {
  const run = await runProgram(loadReviewConfig(stack), { countWaves: true });
  return {
    waves: run.waves!,
    lowerBound: dependencyDepth(run),
    resources: run.resources.filter((r) => r.custom).length,
  };
}
