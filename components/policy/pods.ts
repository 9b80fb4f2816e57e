// How Argo v4.1.2 turns a workflow spec into pods: which templates build one, and which security context each
// container and each pod ends up with, so the repository check judges the pod and not the text.
import {
  EXECUTOR_SECURITY_CONTEXT,
  MAIN_CONTAINER_SECURITY_CONTEXT,
  WORKFLOW_POD_SECURITY_CONTEXT,
} from "../argo/controller-config.ts";

export type Obj = Record<string, any>;

/** `v` when it is a JSON object, else an empty one: a field of the wrong type is the schema check's to report. */
export function obj(v: unknown): Obj {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {};
}

/** `v` when it is a list, else an empty one. */
export function list(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

/** Whether a field is present, as CEL's `has()` sees it (the admission side must reach the same verdict). */
export function isSet(o: Obj, key: string): boolean {
  return o[key] !== undefined;
}

/**
 * Template kinds that make the controller create a pod (wfv1.Template IsPodType, and executeTemplate's dispatch in
 * workflow/controller/operator.go). steps, dag and suspend build none; http and plugin run in the shared agent pod,
 * which the controller builds itself (workflow/controller/agent.go).
 */
export const POD_TEMPLATE_KINDS = ["container", "script", "containerSet", "data", "resource"] as const;

export interface TemplateView {
  /** `spec.templates[2]`, or `spec.templateDefaults`. */
  path: string;
  /** For messages: `template "build"`, or `spec.templateDefaults`. */
  label: string;
  isDefaults: boolean;
  template: Obj;
}

export type ContainerRole = "main" | "init" | "sidecar" | "argo";

export interface ContainerView {
  /**
   * main: `container`, `script`, each of `containerSet.containers` (the ConfigMap's mainContainer is merged under
   * them); init/sidecar: the template's `initContainers`/`sidecars` (no defaults at all); argo: the controller's own
   * init and wait containers, and argoexec as the main container of data and resource templates (executor config).
   */
  role: ContainerRole;
  /** For messages: `container`, `script`, `container "a"`, `init container "x"`, `sidecar "y"`. */
  label: string;
  /** Where the template writes it; empty for argo's own containers. */
  path: string;
  /** The container as written (empty for argo's own). */
  written: Obj;
  /** The securityContext the pod will carry for it. */
  securityContext: Obj;
}

export interface PodView {
  template: TemplateView;
  /**
   * The pod's securityContext when the template decides it: the template's own merged over templateDefaults' (the
   * controller strategic-merges templateDefaults under every template, operator.go mergedTemplateDefaultsInto), and
   * then used whole (addSchedulingConstraints in workflowpod.go). Undefined when neither sets one: then the pod gets
   * the workflow's, which is the workflow spec's merged over workflowDefaults' (workflow/util/merge.go).
   */
  templateSecurityContext?: Obj;
  /** The pod's securityContext as created: templateSecurityContext, else the workflow's. */
  securityContext: Obj;
  /** Where a missing pod-level setting is to be added: the template's securityContext, or the workflow's. */
  securityContextPath: string;
  containers: ContainerView[];
}

export interface WorkflowView {
  /** Where the workflow spec is in the object: `spec`, or `spec.workflowSpec` for a CronWorkflow. */
  at: string;
  spec: Obj;
  /** The workflow-level pod securityContext: the spec's merged over workflowDefaults' (workflow/util/merge.go). */
  securityContext: Obj;
  /** Every template, then templateDefaults (which the controller merges under each, so it is checked like one). */
  templates: TemplateView[];
  /** The templates that build a pod, then templateDefaults (its pod-level fields reach every pod). */
  pods: PodView[];
}

/** Strategic merge of `over` onto `under` for the security context types: objects merge, lists and scalars replace. */
export function mergeUnder(under: Obj, over: Obj): Obj {
  const out: Obj = { ...under };
  for (const [k, v] of Object.entries(over)) {
    if (v === null || v === undefined) continue;
    const base = out[k];
    out[k] =
      v && typeof v === "object" && !Array.isArray(v) && base && typeof base === "object" && !Array.isArray(base)
        ? mergeUnder(base, v)
        : v;
  }
  return out;
}

export function buildsPod(t: Obj): boolean {
  return POD_TEMPLATE_KINDS.some((k) => isSet(t, k));
}

function templateLabel(t: Obj, isDefaults: boolean): string {
  return isDefaults ? "spec.templateDefaults" : `template "${String(t.name ?? "")}"`;
}

/** The containers of one pod-building template (or of templateDefaults), in the order the pod lists them. */
function containersOf(t: Obj, path: string): ContainerView[] {
  const main = (written: Obj, label: string, at: string): ContainerView => ({
    role: "main",
    label,
    path: at,
    written,
    // podBuilder.build: StrategicMergePatch(mainContainer defaults, template container) — the template wins.
    securityContext: mergeUnder(MAIN_CONTAINER_SECURITY_CONTEXT, obj(written.securityContext)),
  });
  const aux = (role: "init" | "sidecar", written: Obj, at: string): ContainerView => ({
    role,
    label: `${role === "init" ? "init container" : "sidecar"} "${String(written.name ?? "")}"`,
    path: at,
    written,
    // addInitContainers / addSidecars copy them as written: no defaults.
    securityContext: obj(written.securityContext),
  });
  const argo = (label: string): ContainerView => ({
    role: "argo",
    label,
    path: "",
    written: {},
    securityContext: EXECUTOR_SECURITY_CONTEXT,
  });
  const out: ContainerView[] = [argo("argo's init and wait containers")];
  if (isSet(t, "container")) out.push(main(obj(t.container), "container", `${path}.container`));
  if (isSet(t, "script")) out.push(main(obj(t.script), "script", `${path}.script`));
  list(obj(t.containerSet).containers).forEach((c, j) =>
    out.push(main(obj(c), `container "${String(obj(c).name ?? "")}"`, `${path}.containerSet.containers[${j}]`)),
  );
  // data and resource templates run argoexec as their main container (newExecContainer, executor config).
  if (isSet(t, "data") || isSet(t, "resource")) out.push(argo("argoexec (main)"));
  list(t.initContainers).forEach((c, j) => out.push(aux("init", obj(c), `${path}.initContainers[${j}]`)));
  list(t.sidecars).forEach((c, j) => out.push(aux("sidecar", obj(c), `${path}.sidecars[${j}]`)));
  return out;
}

/** Walks one workflow spec (a WorkflowTemplate's or a Workflow's `spec`, a CronWorkflow's `spec.workflowSpec`). */
export function workflowView(specValue: unknown, at = "spec"): WorkflowView {
  const spec = obj(specValue);
  const defaults = isSet(spec, "templateDefaults") ? obj(spec.templateDefaults) : undefined;
  const templates: TemplateView[] = list(spec.templates).map((t, i) => ({
    path: `${at}.templates[${i}]`,
    label: templateLabel(obj(t), false),
    isDefaults: false,
    template: obj(t),
  }));
  if (defaults)
    templates.push({
      path: `${at}.templateDefaults`,
      label: templateLabel(defaults, true),
      isDefaults: true,
      template: defaults,
    });
  const defaultSc = isSet(defaults ?? {}, "securityContext") ? obj(defaults!.securityContext) : undefined;
  const securityContext = mergeUnder(WORKFLOW_POD_SECURITY_CONTEXT, obj(spec.securityContext));
  const pods: PodView[] = templates
    .filter((t) => t.isDefaults || buildsPod(t.template))
    .map((t) => {
      const own = isSet(t.template, "securityContext") ? obj(t.template.securityContext) : undefined;
      const templateSecurityContext = own || defaultSc ? mergeUnder(defaultSc ?? {}, own ?? {}) : undefined;
      return {
        template: t,
        templateSecurityContext,
        securityContext: templateSecurityContext ?? securityContext,
        securityContextPath: `${own ? t.path : defaultSc ? `${at}.templateDefaults` : at}.securityContext`,
        containers: containersOf(t.template, t.path),
      };
    });
  return { at, spec, securityContext, templates, pods };
}

/** The containers of a pod that a template writes (main, init, sidecar): the ones a violation can point at. */
export function writtenContainers(pod: PodView): ContainerView[] {
  return pod.containers.filter((c) => c.role !== "argo");
}
