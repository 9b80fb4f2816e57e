// Rule apparmor: workflow pods run under the runtime's default or a node-local AppArmor profile.
import { SPEC, firstContainer, lit, opt, someContainer, specAndTemplates } from "../cel.ts";
import { obj, writtenContainers } from "../pods.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation, writtenPodSecurityContexts } from "../rule.ts";

const ID = "apparmor";
const TYPES = ["RuntimeDefault", "Localhost"];
/** The annotation form (check_appArmorProfile): the pod gets the workflow's podMetadata and the template's metadata. */
const ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

function annotationAllowed(v: unknown): boolean {
  return v === "" || v === "runtime/default" || (typeof v === "string" && v.startsWith("localhost/"));
}

/**
 * Pod Security baseline (check_appArmorProfile): `appArmorProfile.type` RuntimeDefault or Localhost wherever set, and
 * AppArmor annotations `runtime/default`, `localhost/*` or empty. The controller copies `spec.podMetadata` and each
 * template's `metadata` onto its pods (addMetadata in workflowpod.go).
 */
export const apparmor: Rule = {
  id: ID,
  title: "AppArmor: RuntimeDefault or Localhost only (Pod Security restricted)",
  element:
    "pod-level securityContexts and pod annotations, and every container of every pod-building template and templateDefaults",
  fields: [
    "securityContext.appArmorProfile.type",
    `spec.podMetadata.annotations / metadata.annotations["${ANNOTATION_PREFIX}*"]`,
  ],
  allowed: "type RuntimeDefault or Localhost, or unset; annotations runtime/default, localhost/<profile> or empty",
  check(w) {
    const out: Violation[] = [];
    const visit = (sc: Record<string, any>, at: string) => {
      if (sc.appArmorProfile !== undefined && !TYPES.includes(obj(sc.appArmorProfile).type))
        out.push(
          violation(ID, `${at}.appArmorProfile.type`, "must be RuntimeDefault or Localhost (Pod Security restricted)"),
        );
    };
    const annotations = (m: unknown, at: string) => {
      for (const [k, v] of Object.entries(obj(m)))
        if (k.startsWith(ANNOTATION_PREFIX) && !annotationAllowed(v))
          out.push(
            violation(ID, `${at}["${k}"]`, "must be runtime/default or localhost/<profile> (Pod Security restricted)"),
          );
    };
    for (const { path, sc } of writtenPodSecurityContexts(w)) visit(sc, path);
    annotations(obj(w.spec.podMetadata).annotations, `${w.at}.podMetadata.annotations`);
    for (const pod of w.pods) {
      annotations(obj(pod.template.template.metadata).annotations, `${pod.template.path}.metadata.annotations`);
      for (const c of writtenContainers(pod)) visit(c.securityContext, `${c.path}.securityContext`);
    }
    return out;
  },
  cel: () => {
    const profileBad = (x: string) =>
      `!(${opt(x, "securityContext.appArmorProfile")}.hasValue() ? ${opt(x, "securityContext.appArmorProfile.type")}.orValue('') in ${lit(TYPES)} : true)`;
    const annotationsBad = (m: string) =>
      `${m}.exists(k, k.startsWith(${lit(ANNOTATION_PREFIX)}) && !(${m}[k] == '' || ${m}[k] == 'runtime/default' || (type(${m}[k]) == string && ${m}[k].startsWith('localhost/'))))`;
    const specAnnotations = `${opt(SPEC, "podMetadata.annotations")}.orValue({})`;
    const templateAnnotations = (t: string) => `${opt(t, "metadata.annotations")}.orValue({})`;
    const what =
      "use AppArmor profile type RuntimeDefault or Localhost (annotations: runtime/default or localhost/<profile>); Pod Security restricted refuses others";
    return specAndTemplates({
      ruleId: ID,
      specBad: `(${profileBad(SPEC)} || ${annotationsBad(specAnnotations)})`,
      specMessage: `'spec.securityContext.appArmorProfile or spec.podMetadata.annotations: ${what}'`,
      templates: "pod",
      templateBad: (t) =>
        `(${profileBad(t)} || ${annotationsBad(templateAnnotations(t))} || ${someContainer(t, profileBad)})`,
      templateMessage: (t) =>
        `(${someContainer(t, profileBad)} ? ${firstContainer(t, profileBad)} : 'securityContext.appArmorProfile or metadata.annotations') + ': ${what}'`,
    });
  },
};
