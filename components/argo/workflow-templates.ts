// The WorkflowTemplate library: YAML files in templates/, validated before anything is registered, created in the data plane.
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { NAMES, labels, logicalName } from "../shared/kube.ts";
import { unknownKeys } from "./schema.ts";
import { validate } from "./schema/workflow-template.validate.generated.js";

export const TEMPLATES_DIR = path.resolve(import.meta.dirname, "..", "..", "templates");

export interface LoadedTemplate {
  /** File the template came from, relative to the repository (for messages). */
  file: string;
  name: string;
  /** The template without metadata.namespace, which the program sets. */
  body: { apiVersion: string; kind: string; metadata: Record<string, any>; spec: Record<string, any> };
}

/** A template that must not be deployed; the message names the file and the path of every problem. */
export class TemplateError extends pulumi.RunError {}

/**
 * Reads every `*.yaml` in `dir` and checks it against Argo v4's schema (types, required fields, and keys Argo does
 * not know) and against this platform's rules. Throws one TemplateError listing every problem of every file.
 */
export function loadTemplates(dir: string = TEMPLATES_DIR): LoadedTemplate[] {
  const problems: string[] = [];
  const loaded: LoadedTemplate[] = [];
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  const seen = new Set<string>();
  for (const f of files) {
    const file = path.relative(path.resolve(dir, "..", ".."), path.join(dir, f)) || f;
    const report = (where: string, what: string) => problems.push(`${file}: ${where}: ${what}`);
    let body: any;
    try {
      // YAML 1.1, as kubectl and the API machinery read it: `mode: 0755` is octal, `yes` is a boolean.
      const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), "utf8"), { version: "1.1" });
      const errors = docs.flatMap((d) => d.errors);
      if (errors.length) throw new Error(errors[0].message);
      if (docs.length !== 1) throw new Error(`expected exactly one YAML document, found ${docs.length}`);
      body = docs[0].toJS();
    } catch (e) {
      report("(file)", `not valid YAML: ${(e as Error).message}`);
      continue;
    }
    if (body?.kind !== "WorkflowTemplate" || body?.apiVersion !== "argoproj.io/v1alpha1") {
      report("kind", "must be an argoproj.io/v1alpha1 WorkflowTemplate");
      continue;
    }
    if (body.metadata?.namespace !== undefined)
      report("metadata.namespace", "must not be set: templates are created in the data-plane namespace");
    const name = body.metadata?.name;
    if (typeof name !== "string" || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name))
      report("metadata.name", "must be a DNS-1123 name");
    else if (seen.has(name)) report("metadata.name", `"${name}" is used by another template`);
    else seen.add(name);
    // Argo's own schema of the pinned release, compiled ahead of time (tools/generate-validator.ts).
    if (!validate(body)) {
      for (const err of validate.errors ?? [])
        report(toPath(err.instancePath) || "(document)", `${err.message} (Argo v4 schema)`);
    }
    for (const key of unknownKeys(body, "io.argoproj.workflow.v1alpha1.WorkflowTemplate"))
      report(key, "is not a field Argo v4.1.2 knows");
    for (const [where, what] of platformViolations(body)) report(where, what);
    loaded.push({ file, name, body });
  }
  if (problems.length)
    throw new TemplateError(`Invalid WorkflowTemplate(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return loaded;
}

/** "/spec/templates/0/container" -> "spec.templates[0].container" */
function toPath(pointer: string): string {
  return pointer
    .split("/")
    .filter(Boolean)
    .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`))
    .join("")
    .replace(/^\./, "");
}

/**
 * This platform's rules for a template: it runs as the executor account with no token mounted (set explicitly,
 * because a template's own settings win over workflowDefaults), and nothing in it is refused by Pod Security
 * `restricted` in the data plane.
 */
export function platformViolations(t: any): [string, string][] {
  const out: [string, string][] = [];
  const spec = t.spec ?? {};
  // The workflow must say it; a single template may only repeat it.
  checkPodSettings(spec, "spec", true, out);
  if (spec.hostNetwork) out.push(["spec.hostNetwork", "must not be set (Pod Security restricted)"]);
  (spec.templates ?? []).forEach((tmpl: any, i: number) => {
    const at = `spec.templates[${i}]`;
    checkPodSettings(tmpl, at, false, out);
    const containers: [string, any][] = [
      [`${at}.container`, tmpl.container],
      [`${at}.script`, tmpl.script],
      ...(tmpl.containerSet?.containers ?? []).map(
        (c: any, j: number) => [`${at}.containerSet.containers[${j}]`, c] as [string, any],
      ),
      ...(tmpl.initContainers ?? []).map((c: any, j: number) => [`${at}.initContainers[${j}]`, c] as [string, any]),
      ...(tmpl.sidecars ?? []).map((c: any, j: number) => [`${at}.sidecars[${j}]`, c] as [string, any]),
    ];
    for (const [where, c] of containers) if (c) checkContainer(c, where, out);
  });
  return out;
}

/** The pod-level settings that a WorkflowSpec and a single Template both carry. */
function checkPodSettings(o: any, at: string, required: boolean, out: [string, string][]) {
  const account = NAMES.executorServiceAccount;
  const accountOk = (v: unknown) => v === account || (!required && v === undefined);
  const expected = `must be ${account}${required ? "" : " or unset"}`;
  if (!accountOk(o.serviceAccountName)) out.push([`${at}.serviceAccountName`, expected]);
  if (!accountOk(o.executor?.serviceAccountName)) out.push([`${at}.executor.serviceAccountName`, expected]);
  if (required ? o.automountServiceAccountToken !== false : o.automountServiceAccountToken === true) {
    out.push([`${at}.automountServiceAccountToken`, required ? "must be false" : "must not be true"]);
  }
  if (o.podSpecPatch) out.push([`${at}.podSpecPatch`, "must not be used: it bypasses every check here"]);
  checkPodSecurityContext(o.securityContext, `${at}.securityContext`, out);
  (o.volumes ?? []).forEach((v: any, i: number) => {
    if (v.hostPath) out.push([`${at}.volumes[${i}].hostPath`, "must not be used (Pod Security restricted)"]);
  });
}

function checkPodSecurityContext(sc: any, at: string, out: [string, string][]) {
  if (!sc) return;
  if (sc.runAsNonRoot === false) out.push([`${at}.runAsNonRoot`, "must not be false"]);
  if (sc.runAsUser === 0) out.push([`${at}.runAsUser`, "must not be 0 (root)"]);
  if (sc.seccompProfile && !["RuntimeDefault", "Localhost"].includes(sc.seccompProfile.type)) {
    out.push([`${at}.seccompProfile.type`, "must be RuntimeDefault or Localhost"]);
  }
}

function checkContainer(c: any, at: string, out: [string, string][]) {
  const sc = c.securityContext;
  if (!sc) return;
  checkPodSecurityContext(sc, `${at}.securityContext`, out);
  if (sc.privileged) out.push([`${at}.securityContext.privileged`, "must not be true"]);
  if (sc.allowPrivilegeEscalation === true)
    out.push([`${at}.securityContext.allowPrivilegeEscalation`, "must not be true"]);
  const added = (sc.capabilities?.add ?? []).filter((cap: string) => cap !== "NET_BIND_SERVICE");
  if (added.length)
    out.push([
      `${at}.securityContext.capabilities.add`,
      `must add nothing but NET_BIND_SERVICE (found ${added.join(", ")})`,
    ]);
}

export interface WorkflowTemplateLibraryArgs {
  dataPlane: pulumi.Input<string>;
  dataPlaneName: string;
  templates: LoadedTemplate[];
  /** The WorkflowTemplate CRD: a custom resource cannot be created before its definition. */
  crd: pulumi.Resource;
}

export class WorkflowTemplateLibrary extends pulumi.ComponentResource {
  public readonly names: string[];

  constructor(name: string, args: WorkflowTemplateLibraryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("argo-platform:argo:WorkflowTemplateLibrary", name, {}, opts);
    for (const t of args.templates) {
      new k8s.apiextensions.CustomResource(
        logicalName(args.dataPlaneName, t.name),
        {
          apiVersion: t.body.apiVersion,
          kind: t.body.kind,
          metadata: {
            ...t.body.metadata,
            namespace: args.dataPlane,
            labels: { ...labels("platform"), ...t.body.metadata.labels },
          },
          spec: t.body.spec,
        },
        { parent: this, dependsOn: [args.crd] },
      );
    }
    this.names = args.templates.map((t) => t.name);
    this.registerOutputs({ names: this.names });
  }
}
