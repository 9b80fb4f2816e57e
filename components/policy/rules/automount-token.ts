// Rule automount-token: no workflow container gets a Kubernetes API token mounted.
import { opt, onSpecAndEveryTemplate } from "../cel.ts";
import { list, obj } from "../pods.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation } from "../rule.ts";

const ID = "automount-token";

/**
 * With automount on, every container of the pod, the template's own included, holds the executor account's token
 * (setupServiceAccount in workflowpod.go); argo's containers get theirs from an explicit volume instead. Unset keeps
 * the controller's default (false). A projected volume with a `serviceAccountToken` source mints the same token by
 * another route, so it is refused too (in the workflow's volumes and every template's).
 */
export const automountToken: Rule = {
  id: ID,
  title: "No API token is mounted into workflow containers",
  element: "the workflow spec, every template and templateDefaults",
  fields: ["automountServiceAccountToken", "volumes[].projected.sources[].serviceAccountToken"],
  allowed: "automountServiceAccountToken false or unset; no serviceAccountToken projection",
  check(w) {
    const out: Violation[] = [];
    const visit = (o: Record<string, any>, at: string) => {
      if (o.automountServiceAccountToken === true)
        out.push(
          violation(
            ID,
            `${at}.automountServiceAccountToken`,
            "must not be true: it mounts the executor's API token into every container; set false or remove it",
          ),
        );
    };
    const volumes = (o: Record<string, any>, at: string) =>
      list(o.volumes).forEach((v, i) =>
        list(obj(obj(v).projected).sources).forEach((s, j) => {
          if (obj(s).serviceAccountToken !== undefined)
            out.push(
              violation(
                ID,
                `${at}.volumes[${i}].projected.sources[${j}].serviceAccountToken`,
                "must not be used: it mints an API token for the pod's account into the container; remove it",
              ),
            );
        }),
      );
    visit(w.spec, w.at);
    volumes(w.spec, w.at);
    for (const t of w.templates) {
      visit(t.template, t.path);
      volumes(t.template, t.path);
    }
    return out;
  },
  cel: () => {
    const automount = (x: string) => `${x}.?automountServiceAccountToken.orValue(false) == true`;
    const projected = (x: string) =>
      `${x}.?volumes.orValue([]).exists(v, ${opt("v", "projected.sources")}.orValue([]).exists(s, has(s.serviceAccountToken)))`;
    const bad = (x: string) => `(${automount(x)} || ${projected(x)})`;
    const message = (x: string, where: string) =>
      `(${automount(x)} ? '${where}automountServiceAccountToken is true: set it to false or remove it' : '${where}volumes: a projected serviceAccountToken source mints an API token; remove it') + '; workflow containers get no API token'`;
    return onSpecAndEveryTemplate(ID, bad, message);
  },
};
