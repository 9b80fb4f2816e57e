// Counts sequential creation waves: from the dependency graph (the lower bound) and by timing a mock deploy.
import type { ProgramRun, RegisteredResource } from "./offline";
import { loadStackConfig, runProgram } from "./offline";

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
    const own = r.type.startsWith("pulumi:providers:") ? 0 : 1;
    const d = own + Math.max(0, ...deps.map(visit));
    depth.set(r.urn, d);
    return d;
  };
  return Math.max(...run.resources.filter((r) => r.custom).map(visit));
}

/** Runs the stack with every create taking `delayMs`; waves = time from first create to last, in units of that delay. */
export async function measuredWaves(
  stack: string,
  delayMs = 150,
): Promise<{ waves: number; lowerBound: number; resources: number }> {
  const run = await runProgram(loadStackConfig(stack), { createDelayMs: delayMs });
  return {
    waves: Math.round(run.createSpanMs! / delayMs),
    lowerBound: dependencyDepth(run),
    resources: run.resources.filter((r) => r.custom).length,
  };
}
