// Argo's published schema, corrected where it is stricter than Argo itself: the copy the template check compiles.
//
// `argo-workflows-v4.1.2.schema.json` stays byte-for-byte as published. It types three Go types as plain strings
// although their JSON decoders take more, so a schema-valid template would be refused for `limit: 10`:
// - `intstr.IntOrString` (activeDeadlineSeconds, retry limit and backoff factor, withSequence count/start/end, a
//   probe's port) takes an integer or a string (k8s.io/apimachinery `intstr.UnmarshalJSON`);
// - `resource.Quantity` (`cpu: 1`) takes a number or a string (k8s.io/apimachinery `Quantity.UnmarshalJSON`);
// - Argo's `AnyString` (Parameter `value`, `default`, `enum[]`, `description`; ValueFrom `default`) takes a string,
//   a number or a boolean (`pkg/apis/workflow/v1alpha1/anystring.go`, types in `workflow_types.go` at v4.1.2).

export const WIDENED: { definition: string; property?: string; items?: boolean; type: string[]; why: string }[] = [
  { definition: "io.k8s.apimachinery.pkg.util.intstr.IntOrString", type: ["string", "integer"], why: "intstr" },
  { definition: "io.k8s.apimachinery.pkg.api.resource.Quantity", type: ["string", "number"], why: "Quantity" },
  ...(["value", "default", "description"] as const).map((property) => ({
    definition: "io.argoproj.workflow.v1alpha1.Parameter",
    property,
    type: ["string", "number", "boolean"],
    why: "AnyString",
  })),
  {
    definition: "io.argoproj.workflow.v1alpha1.Parameter",
    property: "enum",
    items: true,
    type: ["string", "number", "boolean"],
    why: "[]AnyString",
  },
  {
    definition: "io.argoproj.workflow.v1alpha1.ValueFrom",
    property: "default",
    type: ["string", "number", "boolean"],
    why: "AnyString",
  },
];

/** A copy of the published schema with WIDENED applied; throws if a definition it names is missing or changed. */
export function widenedSchema(published: { definitions: Record<string, any> }): { definitions: Record<string, any> } {
  const schema = structuredClone(published);
  for (const w of WIDENED) {
    const def = schema.definitions[w.definition];
    let node = w.property ? def?.properties?.[w.property] : def;
    if (node && w.items) node = node.items;
    if (!node || node.type !== "string")
      throw new Error(`Argo schema: ${w.definition}${w.property ? `.${w.property}` : ""} is no longer a plain string`);
    node.type = w.type;
  }
  return schema;
}
