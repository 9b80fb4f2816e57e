// Rule selinux: workflow pods use only the SELinux types Pod Security allows, and no custom user or role.
import { SPEC, firstContainer, lit, opt, someContainer, specAndTemplates } from "../cel.ts";
import { obj, writtenContainers } from "../pods.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation, writtenPodSecurityContexts } from "../rule.ts";

const ID = "selinux";

/** Pod Security baseline (check_seLinuxOptions) at the namespaces' pinned v1.31, which added container_engine_t. */
export const SELINUX_TYPES = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

export const selinux: Rule = {
  id: ID,
  title: "SELinux: allowed types only, no user or role (Pod Security restricted)",
  element: "pod-level securityContexts, and every container of every pod-building template and templateDefaults",
  fields: [
    "securityContext.seLinuxOptions.type",
    "securityContext.seLinuxOptions.user",
    "securityContext.seLinuxOptions.role",
  ],
  allowed: `type one of ${SELINUX_TYPES.map((t) => JSON.stringify(t)).join(", ")} or unset; user and role unset or empty`,
  check(w) {
    const out: Violation[] = [];
    const visit = (sc: Record<string, any>, at: string) => {
      if (sc.seLinuxOptions === undefined) return;
      const o = obj(sc.seLinuxOptions);
      if (!SELINUX_TYPES.includes(o.type ?? ""))
        out.push(
          violation(
            ID,
            `${at}.seLinuxOptions.type`,
            `must be one of ${SELINUX_TYPES.slice(1).join(", ")} or unset (Pod Security restricted)`,
          ),
        );
      for (const f of ["user", "role"])
        if ((o[f] ?? "") !== "")
          out.push(violation(ID, `${at}.seLinuxOptions.${f}`, "must be unset (Pod Security restricted)"));
    };
    for (const { path, sc } of writtenPodSecurityContexts(w)) visit(sc, path);
    for (const pod of w.pods)
      for (const c of writtenContainers(pod)) visit(c.securityContext, `${c.path}.securityContext`);
    return out;
  },
  cel: () => {
    const bad = (x: string) => {
      const o = opt(x, "securityContext.seLinuxOptions");
      return `(!(${o}.?type.orValue('') in ${lit(SELINUX_TYPES)}) || ${o}.?user.orValue('') != '' || ${o}.?role.orValue('') != '')`;
    };
    const message =
      "securityContext.seLinuxOptions: use a type of container_t, container_init_t, container_kvm_t or container_engine_t, and no user or role (Pod Security restricted)";
    return specAndTemplates({
      ruleId: ID,
      specBad: bad(SPEC),
      specMessage: `'spec.${message}'`,
      templates: "pod",
      templateBad: (t) => `(${bad(t)} || ${someContainer(t, bad)})`,
      templateMessage: (t) => `(${bad(t)} ? '' : ${firstContainer(t, bad)} + ', ') + '${message}'`,
    });
  },
};
