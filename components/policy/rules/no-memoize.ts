// Rule no-memoize: memoization is not offered, so a template that asks for it is refused up front.
import type { Rule } from "../rule.ts";
import { notOffered } from "./not-offered.ts";

/**
 * Memoization caches are ConfigMaps in the controller's own namespace (controllercache.NewCacheFactory in
 * workflow/controller/controller.go), where the controller may not write (README, "Identities and access"): the
 * step would run, then fail when its result is saved. Refused at the door instead.
 */
export const noMemoize: Rule = notOffered({
  id: "no-memoize",
  title: "memoize is not offered",
  fields: ["memoize"],
  repository:
    "must not be set: memoization caches live in the controller's namespace, which workflows may not write, so the step would fail after running; remove it",
  admission: () =>
    "'memoize is not offered here: its cache lives in the controller\\'s namespace, which workflows may not write, so the step would fail after running; remove memoize'",
});
