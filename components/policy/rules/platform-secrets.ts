// Rule platform-secrets: no template reads a Secret that belongs to the platform.
import { SPEC, firstContainer, lit, opt, someContainer, specAndTemplates } from "../cel.ts";
import type { Obj } from "../pods.ts";
import { list, obj, writtenContainers } from "../pods.ts";
import type { Rule, RuleContext, Violation } from "../rule.ts";
import { violation } from "../rule.ts";

const ID = "platform-secrets";

/**
 * The controller mounts the executor's token into argo's own containers only; a template that mounts the same
 * Secret, or reads it into an environment variable, hands that token to its own code. The list is
 * PLATFORM_SECRETS in the registry. (Artifact credentials that a template names are mounted into argo's containers
 * by the controller itself and are not covered here.)
 */
export const platformSecrets: Rule = {
  id: ID,
  title: "No template reads a platform-owned Secret",
  element: "the workflow's volumes, and the volumes and containers of every pod-building template and templateDefaults",
  fields: [
    "volumes[].secret.secretName",
    "volumes[].projected.sources[].secret.name",
    "containers' env[].valueFrom.secretKeyRef.name",
    "containers' envFrom[].secretRef.name",
  ],
  allowed: "any Secret name except those in PLATFORM_SECRETS",
  check(w, ctx) {
    const out: Violation[] = [];
    const owned = (name: unknown) => typeof name === "string" && ctx.platformSecrets.includes(name);
    const why = (name: unknown) =>
      `must not name ${JSON.stringify(name)}: it belongs to the platform (the executor's API token is for argo's own containers only); remove the reference`;
    const volumes = (vs: unknown, at: string) =>
      list(vs).forEach((v: Obj, i) => {
        const name = obj(obj(v).secret).secretName;
        if (owned(name)) out.push(violation(ID, `${at}.volumes[${i}].secret.secretName`, why(name)));
        list(obj(obj(v).projected).sources).forEach((s, j) => {
          const source = obj(obj(s).secret).name;
          if (owned(source))
            out.push(violation(ID, `${at}.volumes[${i}].projected.sources[${j}].secret.name`, why(source)));
        });
      });
    volumes(w.spec.volumes, w.at);
    for (const pod of w.pods) {
      volumes(pod.template.template.volumes, pod.template.path);
      for (const c of writtenContainers(pod)) {
        list(c.written.env).forEach((e, k) => {
          const name = obj(obj(obj(e).valueFrom).secretKeyRef).name;
          if (owned(name)) out.push(violation(ID, `${c.path}.env[${k}].valueFrom.secretKeyRef.name`, why(name)));
        });
        list(c.written.envFrom).forEach((e, k) => {
          const name = obj(obj(e).secretRef).name;
          if (owned(name)) out.push(violation(ID, `${c.path}.envFrom[${k}].secretRef.name`, why(name)));
        });
      }
    }
    return out;
  },
  cel: (ctx: RuleContext) => {
    const names = lit([...ctx.platformSecrets]);
    const volumeBad = (v: string) =>
      `(${opt(v, "secret.secretName")}.orValue('') in ${names} || ${opt(v, "projected.sources")}.orValue([]).exists(s, ${opt("s", "secret.name")}.orValue('') in ${names}))`;
    const volumesBad = (x: string) => `${x}.?volumes.orValue([]).exists(v, ${volumeBad("v")})`;
    const envBad = (c: string) =>
      `(${c}.?env.orValue([]).exists(e, ${opt("e", "valueFrom.secretKeyRef.name")}.orValue('') in ${names}) || ${c}.?envFrom.orValue([]).exists(e, ${opt("e", "secretRef.name")}.orValue('') in ${names}))`;
    const volumeName = (x: string) =>
      `'volume "' + string(${x}.volumes.filter(v, ${volumeBad("v")})[0].?name.orValue('')) + '"'`;
    const why = `': reads a Secret that belongs to the platform (${ctx.platformSecrets.join(", ")}); remove the reference: the executor\\'s API token is for argo\\'s own containers only'`;
    return specAndTemplates({
      ruleId: ID,
      specBad: volumesBad(SPEC),
      specMessage: `'spec.volumes, ' + ${volumeName(SPEC)} + ${why}`,
      templates: "pod",
      templateBad: (t) => `(${volumesBad(t)} || ${someContainer(t, envBad)})`,
      templateMessage: (t) =>
        `(${volumesBad(t)} ? ${volumeName(t)} : ${firstContainer(t, envBad)} + ' (env or envFrom)') + ${why}`,
    });
  },
};
