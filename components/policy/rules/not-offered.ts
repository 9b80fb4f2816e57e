// What the "not offered" rules share: a template field that Argo accepts but that would fail here at run time.
import { present, specAndTemplates } from "../cel.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation } from "../rule.ts";

export interface NotOffered {
  id: string;
  title: string;
  /** Template fields whose presence alone is refused. */
  fields: readonly string[];
  /** The repository check's message for a field that is present. */
  repository: string;
  /** The admission message; `field` is a CEL string expression naming the field found. */
  admission: (field: string) => string;
}

/** A rule that refuses each of `fields` on every template and on templateDefaults, in both enforcers. */
export function notOffered(o: NotOffered): Rule {
  return {
    id: o.id,
    title: o.title,
    element: "every template and templateDefaults",
    fields: [...o.fields],
    allowed: "unset",
    check(w) {
      const out: Violation[] = [];
      for (const t of w.templates)
        for (const field of o.fields)
          if (t.template[field] !== undefined) out.push(violation(o.id, `${t.path}.${field}`, o.repository));
      return out;
    },
    cel: () =>
      specAndTemplates({
        ruleId: o.id,
        templates: "all",
        templateBad: (t) =>
          o.fields.length === 1 ? present(t, o.fields[0]) : `(${o.fields.map((f) => present(t, f)).join(" || ")})`,
        templateMessage: (t) =>
          o.admission(
            o.fields
              .slice(0, -1)
              .reduceRight((rest, f) => `(${present(t, f)} ? '${f}' : ${rest})`, `'${o.fields.at(-1)}'`),
          ),
      }),
  };
}
