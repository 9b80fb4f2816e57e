// Rule artifact-gc: artifact garbage collection runs as the executor account, with no pod spec patch.
import { NAMES } from "../../shared/kube.ts";
import { SPEC, lit, opt, specAndTemplates } from "../cel.ts";
import { list, obj } from "../pods.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation } from "../rule.ts";

const ID = "artifact-gc";
const ACCOUNT = NAMES.executorServiceAccount;
const ALLOWED = ["", ACCOUNT];

/**
 * The controller builds artifact-GC pods from `spec.artifactGC` (account and podSpecPatch) and from each output
 * artifact's `artifactGC.serviceAccountName` (workflow/controller/artifact_gc.go). `artifactGC` is on the Strict
 * allow-list of a submitted Workflow, so a submission could otherwise pick the account or patch the pod
 * (argo-workflows fixed the patch half in 4.0.6; this keeps both closed for any requester).
 */
export const artifactGc: Rule = {
  id: ID,
  title: "Artifact garbage collection runs as data-plane-service-account, unpatched",
  element: "the workflow spec's artifactGC, and every output artifact of every template and templateDefaults",
  fields: [
    "spec.artifactGC.serviceAccountName",
    "spec.artifactGC.podSpecPatch",
    "outputs.artifacts[].artifactGC.serviceAccountName",
  ],
  allowed: `serviceAccountName ${ACCOUNT} or unset/empty; podSpecPatch unset or empty`,
  check(w) {
    const out: Violation[] = [];
    const gc = obj(w.spec.artifactGC);
    if (gc.serviceAccountName !== undefined && !ALLOWED.includes(gc.serviceAccountName))
      out.push(
        violation(
          ID,
          `${w.at}.artifactGC.serviceAccountName`,
          `must be ${ACCOUNT} or unset (found ${JSON.stringify(gc.serviceAccountName)})`,
        ),
      );
    if (gc.podSpecPatch !== undefined && gc.podSpecPatch !== "")
      out.push(
        violation(ID, `${w.at}.artifactGC.podSpecPatch`, "must not be set: it rewrites the garbage-collection pod"),
      );
    for (const t of w.templates)
      list(obj(t.template.outputs).artifacts).forEach((a, i) => {
        const name = obj(obj(a).artifactGC).serviceAccountName;
        if (name !== undefined && !ALLOWED.includes(name))
          out.push(
            violation(
              ID,
              `${t.path}.outputs.artifacts[${i}].artifactGC.serviceAccountName`,
              `must be ${ACCOUNT} or unset (found ${JSON.stringify(name)})`,
            ),
          );
      });
    return out;
  },
  cel: () => {
    const accountBad = (x: string) => `!(${opt(x, "artifactGC.serviceAccountName")}.orValue('') in ${lit(ALLOWED)})`;
    const patchBad = `${opt(SPEC, "artifactGC.podSpecPatch")}.orValue('') != ''`;
    const artifactBad = (t: string) => `${opt(t, "outputs.artifacts")}.orValue([]).exists(a, ${accountBad("a")})`;
    return specAndTemplates({
      ruleId: ID,
      specBad: `${accountBad(SPEC)} || ${patchBad}`,
      specMessage:
        `(${patchBad} ? 'spec.artifactGC.podSpecPatch is set: remove it; it rewrites the garbage-collection pod' : ` +
        `'spec.artifactGC.serviceAccountName is "' + string(${SPEC}.artifactGC.serviceAccountName) + '": set it to ${ACCOUNT} or remove it')`,
      templates: "all",
      templateBad: artifactBad,
      templateMessage: (t) =>
        `'output artifact "' + string(${t}.outputs.artifacts.filter(a, ${accountBad("a")})[0].?name.orValue('')) + '" has artifactGC.serviceAccountName "' + string(${t}.outputs.artifacts.filter(a, ${accountBad("a")})[0].artifactGC.serviceAccountName) + '": set it to ${ACCOUNT} or remove it'`,
    });
  },
};
