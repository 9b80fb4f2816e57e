// Templates read as kubectl reads them (go-yaml v2's scalars), and ConfigMap values written so Argo reads them back
// unchanged: the program's YAML, on the js-yaml the SDK already loads, against go-yaml v2's rules and the corpus.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { TEMPLATES_DIR, loadTemplates } from "../components/argo/workflow-templates.ts";
import { parseAllYaml, stringifyYaml } from "../components/shared/yaml.ts";
import { kubernetesObjects } from "../tools/offline.ts";
import { CORPUS_DIR } from "./policy/support.ts";
import { run, stackNames } from "./support.ts";

/** Plain scalars and what gopkg.in/yaml.v2 (resolve.go, decode.go) gives an untyped field for each. */
const GO_YAML_V2: [string, unknown][] = [
  ...["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"].map((s) => [s, true] as [string, true]),
  ...["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"].map(
    (s) => [s, false] as [string, false],
  ),
  ["~", null],
  ["null", null],
  ["NULL", null],
  ["", null],
  ["tRUE", "tRUE"],
  ["yES", "yES"],
  ["0", 0],
  ["42", 42],
  ["+42", 42],
  ["-42", -42],
  ["1_000", 1000],
  ["0755", 0o755],
  ["0o755", 0o755],
  ["0x1F", 31],
  ["-0x1f", -31],
  ["0b101", 5],
  ["08", 8],
  ["1.5", 1.5],
  [".5", 0.5],
  ["+.5", 0.5],
  ["1.", 1],
  ["1e3", 1000],
  ["-1.5E-3", -0.0015],
  [".inf", Infinity],
  ["-.Inf", -Infinity],
  ["+.INF", Infinity],
  // uint64 max: an integer to Go, the nearest double to JavaScript.
  ["18446744073709551615", 2 ** 64],
  ["2024-01-01", "2024-01-01"],
  ["2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"],
  ["1:20", "1:20"],
  ["1.2.3", "1.2.3"],
  ["0x", "0x"],
  ["0b102", "0b102"],
  ["inf", "inf"],
  ["nan", "nan"],
  ["v1.2", "v1.2"],
  ["echo hello", "echo hello"],
];

function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => path.join(dir, f));
}

describe("YAML as kubectl reads it", () => {
  for (const [text, value] of GO_YAML_V2)
    it(`reads the plain scalar ${JSON.stringify(text)} as ${JSON.stringify(value)}`, () => {
      assert.deepEqual(parseAllYaml(`value: ${text}`), [{ value }]);
    });

  it("reads NaN, keeps quoted scalars as strings, and merges with <<", () => {
    assert.ok(Number.isNaN((parseAllYaml("v: .nan")[0] as any).v));
    assert.deepEqual(parseAllYaml(`a: "yes"\nb: '0755'\nc: !!str 08`), [{ a: "yes", b: "0755", c: "08" }]);
    assert.deepEqual(parseAllYaml("base: &b {a: 1, b: 2}\nuse:\n  <<: *b\n  b: 3"), [
      { base: { a: 1, b: 2 }, use: { a: 1, b: 3 } },
    ]);
    // Keys are read like values: `y` and `on` are booleans, which sigs.k8s.io/yaml writes as "true" in JSON.
    assert.deepEqual(parseAllYaml("y: 1\nx: 3"), [{ true: 1, x: 3 }]);
    assert.deepEqual(parseAllYaml("on: 1"), [{ true: 1 }]);
    assert.equal(parseAllYaml("a: 1\n---\nb: 2").length, 2);
    assert.throws(() => parseAllYaml("a: 1\na: 2"), /^Error: duplicated mapping key at line 2, column 1$/);
    assert.throws(
      () => parseAllYaml("metadata:\n  name: x\n   bad: [\n"),
      /^Error: bad indentation .* at line 3, column 7$/,
    );
  });

  it("refuses a template that is not YAML on one line naming the file, the line and the column", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "templates-"));
    try {
      fs.writeFileSync(path.join(dir, "broken.yaml"), "kind: WorkflowTemplate\nmetadata:\n  name: x\n   bad: [\n");
      assert.throws(
        () => loadTemplates(dir),
        (e: Error) => {
          const lines = e.message.split("\n");
          assert.equal(lines.length, 2, e.message);
          assert.match(lines[1], /broken\.yaml: \(file\): not valid YAML: bad indentation .* at line 4, column 7$/);
          return true;
        },
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads every shipped and corpus template as the YAML 1.1 reader it replaces did", () => {
    // The corpus (Argo's own examples among them) holds no timestamp or base-60 scalar, the two places where go-yaml
    // v2, and so this reader, differs from the `yaml` package's YAML 1.1 (which made a Date and a number of them).
    const files = [...yamlFiles(TEMPLATES_DIR), ...yamlFiles(CORPUS_DIR)];
    assert.ok(files.length >= 60);
    for (const file of files) {
      const text = fs.readFileSync(file, "utf8");
      const before = YAML.parseAllDocuments(text, { version: "1.1" }).map((d) => d.toJS());
      assert.deepEqual(parseAllYaml(text), before, path.basename(file));
    }
  });

  it("writes values go-yaml v2 reads back unchanged, quoting strings it would take for something else", () => {
    const value = {
      strings: ["yes", "No", "on", "~", "null", "", "0755", "08", "1e3", ".inf", "1_000", "2024-01-01", "1:20"],
      plain: ["plain text", "v4.1.2", "30d", "https://minio.control-plane:9000"],
      numbers: [0, 42, -7, 1.5, 1e21],
      other: [true, false, null],
      nested: { list: [{ a: 1 }], empty: {} },
    };
    const text = stringifyYaml(value);
    assert.deepEqual(parseAllYaml(text), [value]);
    for (const s of value.plain) assert.match(text, new RegExp(`- ${s.replace(/[.:/]/g, "\\$&")}\\n`), s);
  });

  for (const stack of stackNames())
    it(`writes the same ConfigMap data as before the switch, so no stack sees a diff (${stack})`, async () => {
      const configMaps = kubernetesObjects(await run(stack)).filter((o) => o.kind === "ConfigMap");
      let compared = 0;
      for (const cm of configMaps)
        for (const [key, text] of Object.entries<string>(cm.data ?? {})) {
          const value = YAML.parse(text);
          if (!value || typeof value !== "object") continue;
          assert.equal(text, YAML.stringify(value), `${cm.metadata.name} ${key}`);
          compared++;
        }
      assert.ok(compared >= 3, `${compared} YAML values compared`);
    });
});
