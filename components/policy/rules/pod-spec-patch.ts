// Rule pod-spec-patch: no template rewrites the pod the controller builds.
import { onSpecAndEveryTemplate } from "../cel.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation, specAndEveryTemplate } from "../rule.ts";

const ID = "pod-spec-patch";

/**
 * `podSpecPatch` is applied last, over everything the controller and these rules decided (processPodSpecPatch in
 * workflowpod.go), so no check of the template's fields would mean anything with it. (spec.artifactGC.podSpecPatch is
 * rule artifact-gc's.)
 */
export const podSpecPatch: Rule = {
  id: ID,
  title: "No podSpecPatch",
  element: "the workflow spec, every template and templateDefaults",
  fields: ["podSpecPatch"],
  allowed: "unset or empty",
  check(w) {
    const out: Violation[] = [];
    const visit = (o: Record<string, any>, at: string) => {
      if (o.podSpecPatch !== undefined && o.podSpecPatch !== "")
        out.push(
          violation(
            ID,
            `${at}.podSpecPatch`,
            "must not be set: it rewrites the pod after every check; use the template's own fields (resources, securityContext, volumes) instead",
          ),
        );
    };
    specAndEveryTemplate(w, visit);
    return out;
  },
  cel: () => {
    const bad = (x: string) => `${x}.?podSpecPatch.orValue('') != ''`;
    const message = (_: string, where: string) =>
      `'${where}podSpecPatch is set: remove it and use the template\\'s own fields (resources, securityContext, volumes); a patch rewrites the pod after every check'`;
    return onSpecAndEveryTemplate(ID, bad, message);
  },
};
