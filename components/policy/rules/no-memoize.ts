// Rule no-memoize: memoization is not offered, so a template that asks for it is refused up front.
import { present, specAndTemplates } from "../cel.ts";
import type { Rule } from "../rule.ts";
import { violation } from "../rule.ts";

const ID = "no-memoize";

/**
 * Memoization caches are ConfigMaps in the controller's own namespace (controllercache.NewCacheFactory in
 * workflow/controller/controller.go), where the controller may not write (README, "Identities and access"): the
 * step would run, then fail when its result is saved. Refused at the door instead.
 */
export const noMemoize: Rule = {
  id: ID,
  title: "memoize is not offered",
  element: "every template and templateDefaults",
  fields: ["memoize"],
  allowed: "unset",
  check: (w) =>
    w.templates
      .filter((t) => t.template.memoize !== undefined)
      .map((t) =>
        violation(
          ID,
          `${t.path}.memoize`,
          "must not be set: memoization caches live in the controller's namespace, which workflows may not write, so the step would fail after running; remove it",
        ),
      ),
  cel: () =>
    specAndTemplates({
      ruleId: ID,
      templates: "all",
      templateBad: (t) => present(t, "memoize"),
      templateMessage: () =>
        "'memoize is not offered here: its cache lives in the controller\\'s namespace, which workflows may not write, so the step would fail after running; remove memoize'",
    }),
};
