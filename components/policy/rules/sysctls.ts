// Rule sysctls: workflow pods set only the sysctls Pod Security calls safe.
import { SPEC, lit, opt, specAndTemplates } from "../cel.ts";
import { list, obj } from "../pods.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation, writtenPodSecurityContexts } from "../rule.ts";

const ID = "sysctls";

/** Pod Security baseline (check_sysctls), the list of the namespaces' pinned policy version v1.31 (from v1.29). */
export const SAFE_SYSCTLS = [
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
];

export const sysctls: Rule = {
  id: ID,
  title: "Only safe sysctls (Pod Security restricted)",
  element: "the workflow's securityContext and that of every pod-building template and templateDefaults",
  fields: ["securityContext.sysctls[].name"],
  allowed: SAFE_SYSCTLS.join(", "),
  check(w) {
    const out: Violation[] = [];
    for (const { path, sc } of writtenPodSecurityContexts(w))
      list(sc.sysctls).forEach((s, i) => {
        if (!SAFE_SYSCTLS.includes(obj(s).name))
          out.push(
            violation(
              ID,
              `${path}.sysctls[${i}].name`,
              `must be one of Pod Security's safe sysctls (${SAFE_SYSCTLS.join(", ")})`,
            ),
          );
      });
    return out;
  },
  cel: () => {
    const bad = (x: string) =>
      `${opt(x, "securityContext.sysctls")}.orValue([]).exists(s, !(s.?name.orValue('') in ${lit(SAFE_SYSCTLS)}))`;
    const message = (x: string, where: string) =>
      `'${where}securityContext.sysctls sets "' + string(${x}.securityContext.sysctls.filter(s, !(s.?name.orValue('') in ${lit(SAFE_SYSCTLS)}))[0].?name.orValue('')) + '": only ${SAFE_SYSCTLS.join(", ")} are allowed (Pod Security restricted)'`;
    return specAndTemplates({
      ruleId: ID,
      specBad: bad(SPEC),
      specMessage: message(SPEC, "spec."),
      templates: "pod",
      templateBad: bad,
      templateMessage: (t) => message(t, ""),
    });
  },
};
