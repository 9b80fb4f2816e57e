// The plan for people (a table grouped by what matters first) and for machines (JSON).
import type { Plan, PlanStep } from "./plan.ts";

/** Where the two sides came from, for the heading. */
export interface PlanSources {
  base: string;
  head: string;
}

function label(step: PlanStep): string {
  if (step.blocked) return `${step.action} BLOCKED`;
  return step.action === "replace" ? `replace (${step.replaceMode})` : step.action;
}

function detail(step: PlanStep): string {
  const parts: string[] = [];
  if (step.blocked) parts.push(step.blocked);
  if (step.replaceFields.length)
    parts.push(`replaces on ${step.replaceFields.map((f) => `${f.path}: ${f.rule}`).join("; ")}`);
  const others = step.fields.filter((f) => !step.replaceFields.some((r) => r.path === f));
  if (others.length) parts.push(`${step.replaceFields.length ? "also " : ""}changes ${others.join(", ")}`);
  parts.push(...step.reasons, ...step.warnings.map((w) => `WARNING: ${w}`));
  return parts.join("; ");
}

const line = (step: PlanStep) => `  ${label(step)} ${step.type} ${step.name} — ${detail(step)}`;

const GROUPS: { title: string; actions: PlanStep["action"][] }[] = [
  { title: "Replace and delete", actions: ["replace", "delete"] },
  { title: "Create and update", actions: ["create", "update"] },
  { title: "Components (no cloud objects)", actions: ["rename", "add", "remove"] },
];

export function formatPlan(plan: Plan, sources: PlanSources): string {
  const out = [`Plan for stack ${plan.stack}: ${sources.base} → ${sources.head}`];
  const blocked = plan.steps.filter((s) => s.blocked).length;
  for (const group of GROUPS) {
    const steps = plan.steps
      .filter((s) => group.actions.includes(s.action))
      .sort(
        (a, b) =>
          group.actions.indexOf(a.action) - group.actions.indexOf(b.action) ||
          Number(!a.blocked) - Number(!b.blocked) ||
          a.type.localeCompare(b.type) ||
          a.name.localeCompare(b.name),
      );
    if (!steps.length) continue;
    out.push("", `${group.title}:`, ...steps.map(line));
  }
  if (!plan.steps.length) out.push("", "No changes.");
  out.push("", `Unchanged: ${plan.unchanged} resources.`);
  if (blocked) out.push(`pulumi up would stop: ${blocked} step(s) BLOCKED.`);
  if (plan.notes.length) out.push("", "Notes:", ...plan.notes.map((n) => `  - ${n}`));
  out.push(
    "",
    "Offline plan: inputs of the two runs compared by the providers' rules; drift, await logic and server-side apply conflicts show only in `pulumi preview`.",
  );
  return out.join("\n") + "\n";
}

export function planJson(plan: Plan, sources: PlanSources): string {
  return JSON.stringify({ ...sources, ...plan }, null, 2) + "\n";
}
