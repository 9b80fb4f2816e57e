// YAML as Kubernetes tooling reads it: go-yaml v2's scalars (what kubectl and `argo template create` use, through
// sigs.k8s.io/yaml), on the js-yaml that @pulumi/pulumi has already loaded.
//
// Why not a YAML library of our own choosing: the language host loads js-yaml with the SDK (its automation API
// needs it), so reading and writing YAML here costs no module load on a `pulumi preview`; another library would cost
// 30–40 ms more. It is required, not imported: its ES-module build is a separate 100 KB file.
//
// Why a schema of our own: js-yaml reads YAML 1.2, where `yes` is a string and `0755` is decimal. go-yaml v2 reads
// plain scalars by YAML 1.1 rules with Go's number syntax (gopkg.in/yaml.v2 resolve.go), so a template means what it
// would mean to `kubectl apply`:
// - `y`, `yes`, `on`, `true` and `n`, `no`, `off`, `false` (each also Capitalised and UPPER) are booleans;
// - `~`, `null`, `Null`, `NULL` and nothing are null;
// - integers in Go's base-prefixed syntax: `0755` and `0o755` octal, `0x1F` hex, `0b101` binary, `_` ignored;
// - floats like `1.5`, `.5`, `1e3`, `08` (not an octal integer, so a float), `.inf`, `-.Inf`, `.nan`;
// - everything else is a string, timestamps (`2024-01-01`) and base-60 numbers (`1:20`) included: v2 hands a
//   timestamp to an untyped field as the text it read.
import { createRequire } from "node:module";
import type * as JsYaml from "js-yaml";

const jsyaml: typeof JsYaml = createRequire(import.meta.url)("js-yaml");

const WORDS = new Map<string, boolean | null | number>([
  ...["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"].map((w) => [w, true] as const),
  ...["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"].map((w) => [w, false] as const),
  ...["", "~", "null", "Null", "NULL"].map((w) => [w, null] as const),
  ...[".nan", ".NaN", ".NAN"].map((w) => [w, NaN] as const),
  ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map((w) => [w, Infinity] as const),
  ...["-.inf", "-.Inf", "-.INF"].map((w) => [w, -Infinity] as const),
]);

/** Go's strconv.ParseInt(s, 0, 64) syntax (then ParseUint's): sign, then a 0x/0o/0b/0 prefix or decimal digits. */
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]+)|(0|[1-9][0-9]*))$/;
/** go-yaml v2's yamlStyleFloat, tried when a plain scalar that starts with a digit or sign is not an integer. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What Go's ParseFloat takes of a plain scalar that starts with a dot. */
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;

/** The value go-yaml v2 gives a plain (unquoted, untagged) scalar, or undefined when it stays a string. */
function resolvePlain(text: string): boolean | null | number | undefined {
  if (WORDS.has(text)) return WORDS.get(text);
  const first = text[0];
  if (first === ".") return DOT_FLOAT.test(text) ? Number(text) : undefined;
  if (!/[-+0-9]/.test(first)) return undefined;
  const plain = text.replaceAll("_", "");
  const int = GO_INT.exec(plain);
  if (int) {
    const [, sign, hex, oct, bin, legacyOct, dec] = int;
    const magnitude = hex
      ? BigInt(`0x${hex}`)
      : oct
        ? BigInt(`0o${oct}`)
        : bin
          ? BigInt(`0b${bin}`)
          : legacyOct
            ? BigInt(`0o${legacyOct}`)
            : BigInt(dec);
    const value = sign === "-" ? -magnitude : magnitude;
    // int64, or uint64 for a value without a sign: past those, Go refuses it as an integer (and so as a float too,
    // unless it looks like one).
    if (value >= -(2n ** 63n) && value < 2n ** 64n && !(sign && value >= 2n ** 63n)) return Number(value);
  }
  return YAML_STYLE_FLOAT.test(plain) ? Number(plain) : undefined;
}

function scalarType(tag: string, kind: "null" | "bool" | "int" | "float", represent: (v: any) => string) {
  const is: Record<typeof kind, (v: unknown) => boolean> = {
    null: (v) => v === null,
    bool: (v) => typeof v === "boolean",
    int: (v) => typeof v === "number" && Number.isInteger(v) && !Object.is(v, -0),
    float: (v) => typeof v === "number" && !(Number.isInteger(v) && !Object.is(v, -0)),
  };
  return new jsyaml.Type(`tag:yaml.org,2002:${tag}`, {
    kind: "scalar",
    resolve: (text: string) => {
      const value = resolvePlain(text);
      return value !== undefined && is[kind](value);
    },
    construct: (text: string) => resolvePlain(text),
    predicate: is[kind],
    represent: represent,
  });
}

/** go-yaml v2's reading of plain scalars (see the top of this file); `<<` merges as in YAML 1.1. */
export const GO_YAML_V2_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    scalarType("null", "null", () => "null"),
    scalarType("bool", "bool", (v: boolean) => String(v)),
    scalarType("int", "int", (v: number) => String(v)),
    scalarType("float", "float", (v: number) =>
      Number.isNaN(v) ? ".nan" : v === Infinity ? ".inf" : v === -Infinity ? "-.inf" : String(v),
    ),
    // js-yaml's own `<<` (its type declarations omit the `types` it exports).
    (jsyaml as unknown as { types: { merge: JsYaml.Type } }).types.merge,
  ],
});

/** Every document in `text`, as kubectl would read them; if it is not YAML, one line says why and where. */
export function parseAllYaml(text: string): unknown[] {
  try {
    return jsyaml.loadAll(text, undefined, { schema: GO_YAML_V2_SCHEMA });
  } catch (e) {
    // js-yaml's own message quotes the surrounding lines, which would break a list of problems apart.
    const { reason, mark } = e as JsYaml.YAMLException;
    if (!reason || !mark) throw e;
    throw new Error(`${reason} at line ${mark.line + 1}, column ${mark.column + 1}`, { cause: e });
  }
}

/**
 * `value` as block YAML that go-yaml v2 reads back as the same value: a string it would take for a boolean, a number
 * or null (`"yes"`, `"0755"`) is quoted.
 */
export function stringifyYaml(value: unknown): string {
  return jsyaml.dump(value, { schema: GO_YAML_V2_SCHEMA, lineWidth: -1, noRefs: true, quotingType: '"' });
}
