// The registry of template rules: the one list both enforcers use, in the order the policy lists its validations.
import { NAMES } from "../../shared/kube.ts";
import { workflowView } from "../pods.ts";
import type { Rule, RuleContext, Violation } from "../rule.ts";
import { apparmor } from "./apparmor.ts";
import { artifactGc } from "./artifact-gc.ts";
import { automountToken } from "./automount-token.ts";
import { capabilities } from "./capabilities.ts";
import { executorServiceAccount } from "./executor-service-account.ts";
import { hostNamespaces } from "./host-namespaces.ts";
import { hostPorts } from "./host-ports.ts";
import { noAgentTemplates } from "./no-agent-templates.ts";
import { noDaemons } from "./no-daemons.ts";
import { noMemoize } from "./no-memoize.ts";
import { noResourceTemplates } from "./no-resource-templates.ts";
import { nonRoot } from "./non-root.ts";
import { platformSecrets } from "./platform-secrets.ts";
import { podSpecPatch } from "./pod-spec-patch.ts";
import { privilegeEscalation } from "./privilege-escalation.ts";
import { privileged } from "./privileged.ts";
import { procMount } from "./proc-mount.ts";
import { seccomp } from "./seccomp.ts";
import { serviceAccount } from "./service-account.ts";
import { selinux } from "./selinux.ts";
import { sysctls } from "./sysctls.ts";
import { volumeTypes } from "./volume-types.ts";

/**
 * Secrets in the data plane that belong to the platform, which no template may mount or read: the executor's token,
 * and the artifact store's key pair (the controller mounts it into the init and wait containers itself). A feature
 * that adds one adds its name here; both enforcers pick it up.
 */
export const PLATFORM_SECRETS: readonly string[] = [NAMES.executorTokenSecret, NAMES.artifactSecret];

export const RULE_CONTEXT: RuleContext = { platformSecrets: PLATFORM_SECRETS };

export const RULES: readonly Rule[] = [
  // Who the pods run as, and with which token.
  serviceAccount,
  executorServiceAccount,
  artifactGc,
  automountToken,
  podSpecPatch,
  platformSecrets,
  // Pod Security restricted, in every pod Argo would build.
  hostNamespaces,
  volumeTypes,
  hostPorts,
  privileged,
  privilegeEscalation,
  capabilities,
  nonRoot,
  seccomp,
  sysctls,
  procMount,
  selinux,
  apparmor,
  // Features that would be admitted, then fail at run time on this platform.
  noMemoize,
  noAgentTemplates,
  noResourceTemplates,
  noDaemons,
];

/**
 * The repository check: every violation of every rule in one workflow spec (`at` is where the spec sits in its
 * object), each path reported once per rule.
 */
export function checkWorkflowSpec(spec: unknown, at = "spec"): Violation[] {
  const workflow = workflowView(spec, at);
  const seen = new Set<string>();
  return RULES.flatMap((rule) => rule.check(workflow, RULE_CONTEXT)).filter((v) => {
    const key = `${v.ruleId} ${v.path}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}
