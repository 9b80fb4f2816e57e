// The plan engine: from two resources.json reports of one stack (a previous run and the current program), what
// `pulumi up` would do to each resource and why, following the engine's step generator (pulumi/pulumi
// pkg/resource/deploy/step_generator.go) and each provider's own Diff rules (kubernetes-rules.ts, random-rules.ts,
// postgresql-rules.ts).
import type { DefaultProvider, ReportedResource, ResourceReport } from "../render.ts";
import { STACK_TYPE, engineUrn, isProviderType, packageOf, parseUrn } from "../urn.ts";
import type { ResourceDiff } from "./diff.ts";
import { formatPath, parsePath, pathContains, replaceEveryChange } from "./diff.ts";
import type { ConfigDiff, KubernetesFlags } from "./kubernetes-rules.ts";
import {
  FLAG_ENV,
  canonicalNamespace,
  isPatchResource,
  kubernetesDiff,
  kubernetesDiffConfig,
  kubernetesFlags,
  objectIdentity,
} from "./kubernetes-rules.ts";
import { bridgedDiffConfig, postgresqlDiff } from "./postgresql-rules.ts";
import { randomDiff } from "./random-rules.ts";

export type Action = "replace" | "delete" | "create" | "update" | "same" | "rename" | "add" | "remove";

export interface PlanStep {
  /** replace/delete/create/update/same for custom resources; rename/add/remove for components (no cloud object). */
  action: Action;
  type: string;
  name: string;
  /** The resource's URN after the update (its old URN for a delete). */
  urn: string;
  /** The URN it had before, when an alias matched it under another one. */
  oldUrn?: string;
  custom: boolean;
  replaceMode?: "delete-first" | "create-first";
  /** Every changed input path. */
  fields: string[];
  /** The changed paths that force replacement, each with the rule that says so. */
  replaceFields: { path: string; rule: string }[];
  reasons: string[];
  /** Set when `pulumi up` refuses this step. */
  blocked?: string;
  /** What will go wrong or surprise at `up`, besides a block. */
  warnings: string[];
}

export interface Plan {
  stack: string;
  steps: PlanStep[];
  /** Resources `pulumi up` leaves as they are. */
  unchanged: number;
  notes: string[];
}

const PROTECTED = "BLOCKED: protected (pulumi up fails until unprotected)";
const ALREADY_EXISTS =
  "create meets an existing object: AlreadyExists (pulumi-kubernetes >= 4.29 creates client-side, #4278) unless the provider sets upsertExistingObjects";

/** Reports from before `custom` was recorded: components are the Stack and the project's own types. */
function isCustom(r: ReportedResource, project: string): boolean {
  return r.custom ?? !(r.type === STACK_TYPE || r.type.startsWith(`${project}:`));
}

/** `<urn>::<id>` (an explicit provider) or a bare URN (a default provider as render reports it). */
function providerUrn(ref: string): string {
  const parts = ref.split("::");
  return parts.length > 4 ? parts.slice(0, 4).join("::") : ref;
}

const reportProject = (report: ResourceReport) =>
  report.project ?? (report.resources[0] ? parseUrn(report.resources[0].urn).project : "");
const reportStack = (report: ResourceReport) =>
  report.stack ?? (report.resources[0] ? parseUrn(report.resources[0].urn).stack : "");

/** A Kubernetes object a resource applies (not a Patch, which only co-owns fields of an object someone else made). */
function kubernetesObject(r: ReportedResource | undefined): any {
  if (!r || !r.type.startsWith("kubernetes:") || !r.inputs?.kind) return undefined;
  return isPatchResource(r.type, r.inputs.kind) ? undefined : r.inputs;
}

class Side {
  readonly byUrn: Map<string, ReportedResource>;
  readonly project: string;
  readonly stack: string;
  private readonly defaults: Map<string, DefaultProvider>;

  constructor(report: ResourceReport) {
    this.byUrn = new Map(report.resources.map((r) => [r.urn, r]));
    this.project = reportProject(report);
    this.stack = reportStack(report);
    this.defaults = new Map((report.defaultProviders ?? []).map((p) => [p.urn, p]));
  }

  /** The Kubernetes provider flags that apply to a resource (its explicit provider's, or the default one's). */
  kubernetesFlags(r: ReportedResource): KubernetesFlags {
    const provider = providerUrn(r.provider ?? "");
    return kubernetesFlags(this.providerInputs(provider), provider ? this.describeProvider(provider) : "its provider");
  }

  /** A provider's configuration: an explicit provider's inputs, or a default provider's stack config. */
  providerInputs(urn: string): Record<string, unknown> | undefined {
    return this.byUrn.get(urn)?.inputs ?? this.defaults.get(urn)?.inputs;
  }

  describeProvider(urn: string): string {
    const { name } = parseUrn(urn);
    return this.defaults.has(urn) || name.startsWith("default") ? `the default provider (${name})` : `provider ${name}`;
  }
}

/** DiffConfig of the new provider's package (the engine asks the new provider: step_generator.go providerChanged). */
function diffConfig(pkg: string, olds: Record<string, unknown>, news: Record<string, unknown>): ConfigDiff {
  if (pkg === "kubernetes") return kubernetesDiffConfig(olds, news);
  if (pkg === "postgresql" || pkg === "random") return bridgedDiffConfig(pkg, olds, news);
  const changed = JSON.stringify(olds) !== JSON.stringify(news);
  return {
    diffs: changed ? ["(config)"] : [],
    replaces: changed ? ["(config)"] : [],
    reasons: changed ? [`${pkg}: DiffConfig rules not known here: assumed to replace`] : [],
  };
}

/** The provider's Diff for a resource of its package. */
function resourceDiff(
  base: ReportedResource,
  head: ReportedResource,
  flags: KubernetesFlags | undefined,
): ResourceDiff {
  const pkg = packageOf(head.type);
  const args = { type: head.type, old: base.inputs, new: head.inputs, ignoreChanges: head.ignoreChanges ?? [] };
  if (pkg === "kubernetes")
    return kubernetesDiff({ ...args, flags: flags ?? kubernetesFlags({}, "an unknown provider") });
  if (pkg === "random") return randomDiff(args);
  if (pkg === "postgresql") return postgresqlDiff(args);
  return replaceEveryChange(
    args,
    "not confirmed: treated as replacing",
    `${pkg}: provider rules not known here: every change counted as a replacement`,
  );
}

/**
 * step_generator.go applyReplaceOnChanges: a change under a `replaceOnChanges` path becomes a replacement.
 */
function applyReplaceOnChanges(diff: ResourceDiff, replaceOnChanges: string[]): ResourceDiff {
  if (!replaceOnChanges.length) return diff;
  const paths = replaceOnChanges.map(parsePath);
  const changes = diff.changes.map((c) =>
    !c.replace && paths.some((p) => pathContains(p, c.path)) ? { ...c, replace: true, because: "replaceOnChanges" } : c,
  );
  return { ...diff, changes, replaces: changes.filter((c) => c.replace).map((c) => formatPath(c.path)) };
}

/** Plans the update from the `base` report (the previous run) to the `head` report (the program now). */
export function planChanges(baseReport: ResourceReport, headReport: ResourceReport): Plan {
  const base = new Side(baseReport);
  const head = new Side(headReport);
  const stack = head.stack || base.stack;
  const notes: string[] = [];
  const steps = new Map<string, PlanStep>();

  // --- Matching: by URN first, then by aliases (step_generator.go getOldResource, generateAliases). ---
  const oldOf = new Map<string, string>();
  const claimed = new Set<string>();
  for (const h of headReport.resources)
    if (base.byUrn.has(h.urn)) {
      oldOf.set(h.urn, h.urn);
      claimed.add(h.urn);
    }
  const visiting = new Set<string>();
  const matchByAlias = (h: ReportedResource): string | undefined => {
    if (oldOf.has(h.urn)) return oldOf.get(h.urn);
    if (visiting.has(h.urn)) return undefined;
    visiting.add(h.urn);
    const candidates = [...(h.aliases ?? [])];
    // A child inherits its parent's alias (inheritedChildAlias): same name, or the parent's old name as its prefix.
    const parent = h.parent ? head.byUrn.get(h.parent) : undefined;
    const parentOld = parent ? matchByAlias(parent) : undefined;
    if (parent && parentOld && parentOld !== parent.urn) {
      const inherit = (type: string, name: string) => {
        const oldParentName = parseUrn(parentOld).name;
        const aliasName = name.startsWith(parent.name) ? oldParentName + name.slice(parent.name.length) : name;
        return engineUrn(head.stack, head.project, parentOld, type, aliasName);
      };
      candidates.push(inherit(h.type, h.name));
      for (const a of h.aliases ?? []) {
        const { qualifiedType, name } = parseUrn(a);
        candidates.push(inherit(qualifiedType.split("$").pop()!, name));
      }
    }
    const found = candidates.find((c) => base.byUrn.has(c) && !claimed.has(c));
    if (found) {
      oldOf.set(h.urn, found);
      claimed.add(found);
    }
    return found;
  };
  for (const h of headReport.resources) matchByAlias(h);
  const newOf = new Map([...oldOf].map(([n, o]) => [o, n]));

  // --- Providers first: their own steps decide whether everything on them is replaced. ---
  const order = [...headReport.resources].sort(
    (a, b) => Number(!isProviderType(a.type)) - Number(!isProviderType(b.type)),
  );
  const moved = new Map<string, number>();
  let assumedProviders = false;

  for (const h of order) {
    const oldUrn = oldOf.get(h.urn);
    const b = oldUrn ? base.byUrn.get(oldUrn) : undefined;
    const custom = isCustom(h, head.project);
    const step: PlanStep = {
      action: "same",
      type: h.type,
      name: h.name,
      urn: h.urn,
      ...(oldUrn && oldUrn !== h.urn ? { oldUrn } : {}),
      custom,
      fields: [],
      replaceFields: [],
      reasons: [],
      warnings: [],
    };
    steps.set(h.urn, step);
    if (!b) {
      planCreate(step, h);
      continue;
    }
    if (!custom) {
      if (oldUrn !== h.urn) {
        step.action = "rename";
        step.reasons.push(`renamed, aliased (was ${describeUrn(oldUrn!)})`);
      }
      continue;
    }
    if (oldUrn !== h.urn) step.reasons.push(`aliased: was ${describeUrn(oldUrn!)}`);

    if (isProviderType(h.type)) {
      const config = diffConfig(packageOf(h.type), b.inputs ?? {}, h.inputs ?? {});
      step.fields = config.diffs;
      step.reasons.push(...config.reasons);
      if (config.assumption) step.warnings.push(`assumed: ${config.assumption}`);
      if (config.replaces.length) {
        decideReplace(
          step,
          b,
          h,
          false,
          config.replaces.map((p) => ({ path: p, rule: "DiffConfig" })),
        );
        step.reasons.push("everything on this provider is replaced with it");
      } else if (config.diffs.length || oldUrn !== h.urn) step.action = "update";
      continue;
    }

    // Has the provider reference changed (step_generator.go providerChanged)? Then the *new* provider's DiffConfig,
    // on the old provider's config and the new one's, decides: replace only if it reports a replacement, whether
    // either provider is a default one or not (pulumi/pulumi#18509, CLI 3.152.0 on; older CLIs replaced on every
    // move to or from an explicit provider). An alias from the old provider to the new one is no change at all. A
    // base render that predates provider references is taken to use the same provider as the head.
    const newRef = h.provider ?? "";
    const oldRef = b.provider ?? newRef;
    assumedProviders ||= !b.provider;
    const oldProvUrn = providerUrn(oldRef);
    const newProvUrn = providerUrn(newRef);
    const providerReplaced = steps.get(newProvUrn)?.action === "replace";
    const aliasedProvider = oldOf.get(newProvUrn) === oldProvUrn && oldProvUrn !== newProvUrn;
    if ((oldRef !== newRef && !aliasedProvider) || providerReplaced) {
      const config = diffConfig(
        packageOf(parseUrn(newProvUrn).qualifiedType.split("$").pop()!),
        base.providerInputs(oldProvUrn) ?? {},
        head.providerInputs(newProvUrn) ?? {},
      );
      const change = `provider ${base.describeProvider(oldProvUrn)} → ${head.describeProvider(newProvUrn)}`;
      if (config.replaces.length) {
        step.fields = ["provider"];
        step.reasons.push(`${change}: DiffConfig replaces (${config.reasons.join("; ")})`);
        if (config.assumption) step.warnings.push(`assumed: ${config.assumption}`);
        // The engine answers "replace, blame the provider" without asking the provider's Diff: no delete-first.
        decideReplace(step, b, h, false, [{ path: "provider", rule: "step_generator.go providerChanged" }]);
        continue;
      }
      step.reasons.push(
        `${change}: DiffConfig says no replacement${config.reasons.length ? ` (${config.reasons.join("; ")})` : ""}`,
      );
      moved.set(change, (moved.get(change) ?? 0) + 1);
    }

    const flags =
      packageOf(h.type) === "kubernetes"
        ? kubernetesFlags(head.providerInputs(newProvUrn), head.describeProvider(newProvUrn))
        : undefined;
    const diff = applyReplaceOnChanges(resourceDiff(b, h, flags), h.replaceOnChanges ?? []);
    step.fields = diff.changes.map((c) => formatPath(c.path));
    step.reasons.push(...diff.notes);
    if (diff.uncomparable.length)
      notes.push(
        `${h.type} ${h.name}: whether ${diff.uncomparable.map(formatPath).join(", ")} changed is unknown (the base render has no secret digests)`,
      );
    const replacing = diff.changes.filter((c) => c.replace);
    if (replacing.length) {
      const rules = replacing.map((c) => ({
        path: formatPath(c.path),
        rule: explainRule(c.because ?? "", h, flags),
      }));
      decideReplace(step, b, h, diff.deleteBeforeReplace, rules);
      if (flags && rules.some((r) => /ConfigMap|Secret/.test(r.rule))) {
        const flag = h.inputs?.kind === "Secret" ? "enableSecretMutable" : "enableConfigMapMutable";
        if (flags.unset.includes(flag))
          notes.push(
            `${flags.source} does not set ${flag}: the plan assumes ${FLAG_ENV[flag]} is unset where pulumi up runs (if it is "true", ${h.inputs?.kind} data changes are updates)`,
          );
      }
    } else if (diff.changes.length || oldUrn !== h.urn) {
      step.action = "update";
    }
  }

  // Old resources nothing claimed: deletes.
  for (const b of baseReport.resources) {
    if (newOf.has(b.urn)) continue;
    const step: PlanStep = {
      action: isCustom(b, base.project) ? "delete" : "remove",
      type: b.type,
      name: b.name,
      urn: b.urn,
      custom: isCustom(b, base.project),
      fields: [],
      replaceFields: [],
      reasons: [],
      warnings: [],
    };
    steps.set(`old:${b.urn}`, step);
    if (!step.custom) {
      planComponentRemoval(step, b);
      continue;
    }
    step.reasons.push("no longer in the program");
    if (b.protect) step.blocked = PROTECTED;
    if (b.retainOnDelete) step.reasons.push(`forgotten (${whereItStays(b)})`);
    const obj = kubernetesObject(b);
    if (obj?.kind === "Namespace") namespaceDeletion(step, b, obj.metadata.name);
  }

  function planCreate(step: PlanStep, h: ReportedResource) {
    if (!step.custom) {
      step.action = "add";
      const children = headReport.resources.filter((r) => r.parent === h.urn).length;
      step.reasons.push(`new component (no cloud object)${children ? `; ${children} children` : ""}`);
      return;
    }
    step.action = "create";
    step.reasons.push("new");
    const obj = kubernetesObject(h);
    const identity = objectIdentity(obj);
    if (!identity) return;
    // Pulumi runs creates before deletes: an old object of the same identity that the new program does not keep
    // under that identity is still in the cluster when this create runs.
    const holder = baseReport.resources.find(
      (b) =>
        objectIdentity(kubernetesObject(b)) === identity &&
        objectIdentity(kubernetesObject(head.byUrn.get(newOf.get(b.urn) ?? ""))) !== identity,
    );
    if (!holder) return;
    if (head.kubernetesFlags(h).upsertExistingObjects)
      step.reasons.push(`adopts the existing object of ${describeUrn(holder.urn)} (upsertExistingObjects)`);
    else step.warnings.push(`${ALREADY_EXISTS} (the old one is ${describeUrn(holder.urn)}, not aliased)`);
  }

  function decideReplace(
    step: PlanStep,
    b: ReportedResource,
    h: ReportedResource,
    providerDeleteFirst: boolean,
    rules: { path: string; rule: string }[],
  ) {
    step.action = "replace";
    step.replaceFields = rules;
    // step_generator.go: the resource option deleteBeforeReplace, when set, overrides the provider's choice.
    const optionSet = h.deleteBeforeReplaceDefined || h.deleteBeforeReplace;
    const deleteFirst = optionSet ? h.deleteBeforeReplace : providerDeleteFirst;
    step.replaceMode = deleteFirst ? "delete-first" : "create-first";
    if (optionSet) step.reasons.push(`deleteBeforeReplace: ${h.deleteBeforeReplace} (resource option)`);
    else if (deleteFirst && packageOf(h.type) === "kubernetes")
      step.reasons.push("named object keeps its name and namespace: delete-first (provider.go Diff)");
    // The engine refuses when both the old and the new resource are protected (unprotect and replace is allowed).
    if (b.protect && h.protect) step.blocked = PROTECTED;
    const oldObj = kubernetesObject(b);
    const newObj = kubernetesObject(h);
    const sameIdentity = !!objectIdentity(newObj) && objectIdentity(oldObj) === objectIdentity(newObj);
    const viaProvider = rules.some((r) => r.path === "provider");
    if (sameIdentity && !deleteFirst && !viaProvider)
      step.warnings.push(`${ALREADY_EXISTS}: the old object is deleted only after`);
    if (sameIdentity && deleteFirst && b.retainOnDelete)
      step.warnings.push(`the delete keeps the old object (retainOnDelete), so the ${ALREADY_EXISTS}`);
    if (
      !deleteFirst &&
      ["postgresql:index/role:Role", "postgresql:index/database:Database"].includes(h.type) &&
      b.inputs?.name === h.inputs?.name
    )
      step.warnings.push(
        `create-first: a second ${h.type.split(":").pop()} named ${h.inputs?.name} cannot be created beside the old one`,
      );
    if (oldObj?.kind === "Namespace") namespaceDeletion(step, b, oldObj.metadata.name, true);
  }

  function namespaceDeletion(step: PlanStep, b: ReportedResource, ns: string, replaced = false) {
    if (b.retainOnDelete) {
      step.reasons.push(`the namespace ${ns} and everything in it stay in the cluster`);
      return;
    }
    const inside = baseReport.resources.filter((r) => {
      const obj = kubernetesObject(r);
      return obj && obj.kind !== "Namespace" && canonicalNamespace(obj) === ns;
    });
    const kept = inside.filter((r) => {
      const n = kubernetesObject(head.byUrn.get(newOf.get(r.urn) ?? ""));
      return n && canonicalNamespace(n) === ns;
    });
    const names = inside.map((r) => `${r.inputs.kind} ${r.inputs.metadata.name}`).join(", ");
    step.warnings.push(
      `${replaced ? "the old namespace is deleted: " : ""}deleting namespace ${ns} deletes every object in it: ${inside.length} managed here (${names}) and anything else there (claims and their volumes' data, pods, objects others made)` +
        (kept.length ? `; ${kept.length} of them the new program still declares there` : ""),
    );
  }

  function planComponentRemoval(step: PlanStep, b: ReportedResource) {
    const children = baseReport.resources.filter((r) => r.parent === b.urn);
    const kept = children.filter((r) => newOf.has(r.urn)).length;
    step.reasons.push(
      `component removed without an alias (no cloud object)${children.length ? `; of its ${children.length} children ${kept} keep their URNs, ${children.length - kept} do not (deleted below unless aliased)` : ""}`,
    );
  }

  function whereItStays(b: ReportedResource): string {
    const pkg = packageOf(b.type);
    if (pkg === "kubernetes") return "the object stays in the cluster";
    if (pkg === "postgresql") return "it stays on the server";
    return "Pulumi only drops it from the state";
  }

  function explainRule(because: string, h: ReportedResource, flags: KubernetesFlags | undefined): string {
    if (!flags) return because;
    const kind = h.inputs?.kind;
    if ((because === ".data" || because === ".binaryData") && kind === "ConfigMap")
      return `ConfigMap data (diff.go forceNewProperties: enableConfigMapMutable is ${flags.enableConfigMapMutable ? "on but the ConfigMap is immutable" : "off"} on ${flags.source})`;
    if ([".data", ".stringData", ".type"].includes(because) && kind === "Secret")
      return because === ".type"
        ? "Secret type (diff.go forceNew)"
        : `Secret data (diff.go forceNewProperties: enableSecretMutable is ${flags.enableSecretMutable ? "on but the Secret is immutable" : "off"} on ${flags.source})`;
    if (because === "replaceOnChanges") return "replaceOnChanges (resource option)";
    return `${because} (diff.go forceNew for ${h.inputs?.apiVersion} ${kind})`;
  }

  for (const [change, count] of moved) notes.push(`${count} resources move (${change}) without replacement`);
  if (assumedProviders)
    notes.push(
      "the base render predates provider references: each resource was assumed to keep its provider (a move between providers is not visible)",
    );
  if (JSON.stringify(baseReport.resources).includes('"<redacted>"'))
    notes.push("the base render predates secret digests: a change of a secret value is not visible");
  if (!baseReport.defaultProviders && baseReport.resources.length)
    notes.push("the base render predates default-provider config: the old default providers' config is unknown");

  const all = [...steps.values()];
  return {
    stack,
    steps: all.filter((s) => s.action !== "same"),
    unchanged: all.filter((s) => s.action === "same").length,
    notes: [...new Set(notes)],
  };
}

/** The Kubernetes provider flags that apply to a resource of a report (its explicit provider or the default one). */
export function kubernetesFlagsFor(report: ResourceReport, r: ReportedResource): KubernetesFlags {
  return new Side(report).kubernetesFlags(r);
}

/** `Type name` for a URN, for reasons. */
export function describeUrn(urn: string): string {
  const { qualifiedType, name } = parseUrn(urn);
  return `${qualifiedType.split("$").pop()} ${name}`;
}
