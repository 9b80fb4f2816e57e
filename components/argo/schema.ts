// Which keys Argo v4.1.2 does not know: the rule (`isClosed`) and a walker of its published JSON schema for the tests.
// The shipped templates are checked by the generated validator, which tools/generate-validator.ts closes by the same
// rule, so no `pulumi preview` reads the 600 KB schema; the tests walk it for the controller ConfigMap and the
// artifact repository, which have no generated validator.
import * as fs from "node:fs";
import * as path from "node:path";

export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
}

/** Argo's published JSON schema, vendored byte for byte (the generated validator is compiled from it). */
export const SCHEMA_FILE = path.join(import.meta.dirname, "schema", "argo-workflows-v4.1.2.schema.json");
let definitions: Record<string, SchemaNode> | undefined;

function definition(name: string): SchemaNode {
  definitions ??= JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")).definitions as Record<string, SchemaNode>;
  const found = definitions[name];
  if (!found) throw new Error(`No definition ${name} in ${path.basename(SCHEMA_FILE)}`);
  return found;
}

/**
 * Whether an object node takes no key beyond those it declares: it declares properties and no schema for others, or
 * says so. Maps (an `additionalProperties` schema) and free-form objects (preserve-unknown-fields) take any key.
 */
export function isClosed(node: SchemaNode): boolean {
  if (node["x-kubernetes-preserve-unknown-fields"]) return false;
  if (node.additionalProperties === false) return true;
  return !!node.properties && node.additionalProperties === undefined;
}

/**
 * Paths (like `spec.templates[0].container.imagePullPolicyy`) of every key in `value` that the schema definition
 * does not declare where the object is closed (isClosed).
 */
export function unknownKeys(value: unknown, definitionName: string, at = ""): string[] {
  return walk(value, definition(definitionName), at);
}

function walk(value: unknown, node: SchemaNode, at: string): string[] {
  if (node.$ref) return walk(value, definition(node.$ref.replace("#/definitions/", "")), at);
  if (Array.isArray(value)) return node.items ? value.flatMap((v, i) => walk(v, node.items!, `${at}[${i}]`)) : [];
  if (!value || typeof value !== "object" || node["x-kubernetes-preserve-unknown-fields"]) return [];
  const found: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const where = at ? `${at}.${key}` : key;
    const declared = node.properties?.[key];
    if (declared) found.push(...walk(child, declared, where));
    else if (typeof node.additionalProperties === "object")
      found.push(...walk(child, node.additionalProperties, where));
    else if (isClosed(node)) found.push(where);
  }
  return found;
}
