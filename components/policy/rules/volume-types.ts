// Rule volume-types: workflow pods use only the volume types Pod Security restricted allows.
import { SPEC, lit, specAndTemplates } from "../cel.ts";
import { list, obj } from "../pods.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation } from "../rule.ts";

const ID = "volume-types";

/**
 * Pod Security restricted (check_restrictedVolumes at the namespaces' pinned v1.31). `image` volumes are allowed
 * by the admission plugin only from Kubernetes 1.33, and this platform supports 1.30, so they are refused.
 */
export const RESTRICTED_VOLUME_TYPES = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
];

/**
 * A template's volumes are always in its pod (createVolumes in workflowpod.go). The workflow's `spec.volumes` reach a
 * pod only when one of its containers mounts them (addVolumeReferences), but they are refused here whether mounted
 * or not: a join of mounts to volumes would cost more than it is worth, and a declared volume nobody mounts is a
 * mistake of its own. A volume with no type is an emptyDir (the API server's default).
 */
export const volumeTypes: Rule = {
  id: ID,
  title: "Only the volume types Pod Security restricted allows",
  element: "the workflow's volumes, and the volumes of every pod-building template and templateDefaults",
  fields: ["volumes[].<type>"],
  allowed: RESTRICTED_VOLUME_TYPES.join(", "),
  check(w) {
    const out: Violation[] = [];
    const visit = (volumes: unknown, at: string) =>
      list(volumes).forEach((v, i) => {
        for (const key of Object.keys(obj(v)))
          if (key !== "name" && !RESTRICTED_VOLUME_TYPES.includes(key))
            out.push(
              violation(
                ID,
                `${at}.volumes[${i}].${key}`,
                `must not be used: Pod Security restricted allows only ${RESTRICTED_VOLUME_TYPES.join(", ")} volumes`,
              ),
            );
      });
    visit(w.spec.volumes, w.at);
    for (const pod of w.pods) visit(pod.template.template.volumes, pod.template.path);
    return out;
  },
  cel: () => {
    const allowed = lit(["name", ...RESTRICTED_VOLUME_TYPES]);
    const volumeBad = (v: string) => `!${v}.all(k, k in ${allowed})`;
    const volumesBad = (x: string) => `${x}.?volumes.orValue([]).exists(v, ${volumeBad("v")})`;
    const describe = (x: string) =>
      `'volume "' + string(${x}.volumes.filter(v, ${volumeBad("v")})[0].?name.orValue('')) + '" is of type ' + ${x}.volumes.filter(v, ${volumeBad("v")})[0].filter(k, !(k in ${allowed}))[0] + ': use one of ${RESTRICTED_VOLUME_TYPES.join(", ")} (Pod Security restricted)'`;
    return specAndTemplates({
      ruleId: ID,
      specBad: volumesBad(SPEC),
      specMessage: `'spec.volumes, ' + ${describe(SPEC)}`,
      templates: "pod",
      templateBad: volumesBad,
      templateMessage: describe,
    });
  },
};
