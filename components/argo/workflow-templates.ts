// The WorkflowTemplate library: YAML files in templates/, validated before anything is registered, created in the data plane.
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "../shared/k8s.ts";
import * as pulumi from "../shared/pulumi.ts";
import { checkWorkflowSpec } from "../policy/rules/index.ts";
import { labels, logicalName } from "../shared/kube.ts";
import { parseAllYaml } from "../shared/yaml.ts";
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
 * not know) and against this platform's template rules. Throws one TemplateError listing every problem of every file.
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
      // As kubectl reads it (go-yaml v2's YAML 1.1 scalars): `mode: 0755` is octal, `yes` is a boolean.
      const docs = parseAllYaml(fs.readFileSync(path.join(dir, f), "utf8"));
      if (docs.length !== 1) throw new Error(`expected exactly one YAML document, found ${docs.length}`);
      body = docs[0];
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
    for (const p of templateProblems(body)) report(p.path, p.message);
    loaded.push({ file, name, body });
  }
  if (problems.length)
    throw new TemplateError(`Invalid WorkflowTemplate(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return loaded;
}

export interface TemplateProblem {
  /** Like `spec.templates[0].container.securityContext.privileged`. */
  path: string;
  message: string;
  /** `schema` for Argo's own schema (and its keys), else the id of the platform rule. */
  source: string;
}

/** What is wrong with one WorkflowTemplate body, by Argo's v4 schema and by this platform's template rules. */
export function templateProblems(body: any): TemplateProblem[] {
  const out: TemplateProblem[] = [];
  // Argo's own schema of the pinned release, compiled ahead of time (tools/generate-validator.ts), with its objects
  // closed: a key it does not declare is a typo Argo would silently drop.
  if (!validate(body)) {
    for (const err of validate.errors ?? []) {
      const at = toPath(err.instancePath);
      if (err.keyword === "additionalProperties") {
        const key = String(err.params.additionalProperty);
        out.push({ path: at ? `${at}.${key}` : key, message: "is not a field Argo v4.1.2 knows", source: "schema" });
      } else {
        out.push({ path: at || "(document)", message: `${err.message} (Argo v4 schema)`, source: "schema" });
      }
    }
  }
  // This platform's rules (components/policy/rules), the same ones the admission policy enforces in the cluster.
  for (const v of checkWorkflowSpec(body?.spec))
    out.push({ path: v.path, message: `${v.message} (platform rule ${v.ruleId})`, source: v.ruleId });
  return out;
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
