// Stack configuration: every kind of bad value is refused, with the key, the value and what is allowed, before
// any resource is registered; the defaults in Pulumi.yaml and config.ts agree.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import * as YAML from "yaml";
import { ARCHIVE_TTL_ALLOWED, CONFIG_KEYS, SECRET_CONFIG_KEYS, parseArgoTTL } from "../config.ts";
import { ROOT, loadStackConfig, runProgram } from "../tools/offline.ts";
import { PROJECT, projectCopy, withOverrides } from "./support.ts";

async function refused(overrides: Record<string, string | undefined>, stack = "dev"): Promise<string> {
  try {
    await runProgram(withOverrides(loadStackConfig(stack), overrides));
  } catch (e: any) {
    assert.deepEqual(e.registered, [], "no resource may be registered when the config is invalid");
    return e.message;
  }
  assert.fail(`config ${JSON.stringify(overrides)} was accepted`);
}

describe("stack configuration", () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      "a namespace that is not a DNS label",
      { dataPlaneNamespace: "Data_Plane" },
      /argo-platform:dataPlaneNamespace = "Data_Plane": must be a DNS-1123 label/,
    ],
    [
      "the same namespace twice",
      { dataPlaneNamespace: "control-plane" },
      /dataPlaneNamespace = "control-plane": must be different from controlPlaneNamespace/,
    ],
    [
      "an Argo version that is not a tag",
      { argoVersion: "latest" },
      /argoVersion = "latest": must be a release tag of the form vX\.Y\.Z/,
    ],
    [
      "an Argo version before the Strict-mode fixes",
      { argoVersion: "v4.0.5" },
      /argoVersion = "v4.0.5": must be a v4 release at or above v4\.0\.6/,
    ],
    ["an Argo v3 version", { argoVersion: "v3.7.9" }, /argoVersion = "v3.7.9": must be a v4 release/],
    [
      "a lower-case strict",
      { templateReferencing: "strict" },
      /templateReferencing = "strict": must be Strict or Secure \(case-sensitive/,
    ],
    ["a compound TTL", { archiveTTL: "1h30m" }, /archiveTTL = "1h30m": must be a positive duration/],
    ["a bare-number TTL", { archiveTTL: "30" }, /archiveTTL = "30": must be a positive duration/],
    ["a zero TTL", { archiveTTL: "0d" }, /archiveTTL = "0d"/],
    [
      "an unknown database mode",
      { databaseMode: "managed" },
      /databaseMode = "managed": must be in-cluster or external/,
    ],
    [
      "a fractional replica count",
      { controllerReplicas: "1.5" },
      /controllerReplicas = "1.5": must be a whole number from 1 to 5/,
    ],
    ["too many replicas", { serverReplicas: "9" }, /serverReplicas = "9": must be a whole number from 1 to 5/],
    [
      "a port out of range",
      { databasePort: "70000" },
      /databasePort = "70000": must be a whole number from 1 to 65535/,
    ],
    ["a boolean spelt yes", { controllerTokenLogin: "yes" }, /controllerTokenLogin = "yes": must be true or false/],
    [
      "an insecure sslmode",
      { databaseSslMode: "disable" },
      /databaseSslMode = "disable": must be require, verify-ca or verify-full/,
    ],
    [
      "a misspelt key",
      { archiveTtl: "30d" },
      /argo-platform:archiveTtl = "30d": not a key of this project \(allowed: .*archiveTTL/,
    ],
    [
      "a database name that needs quoting",
      { databaseName: "argo-workflows" },
      /databaseName = "argo-workflows": must be a PostgreSQL identifier/,
    ],
  ];
  for (const [what, overrides, message] of cases) {
    it(`refuses ${what}`, async () => assert.match(await refused(overrides), message));
  }

  it("reports every problem at once", async () => {
    const message = await refused({ argoVersion: "v4", templateReferencing: "Off", archiveTTL: "forever" });
    for (const key of ["argoVersion", "templateReferencing", "archiveTTL"])
      assert.match(message, new RegExp(`${PROJECT}:${key}`));
  });

  it("refuses an external database without a host or an admin password, naming both keys", async () => {
    const message = await refused({ databaseMode: "external" });
    assert.match(message, /argo-platform:databaseHost = "": must be set when databaseMode is external/);
    assert.match(
      message,
      /argo-platform:databaseAdminPassword = \(not set\): must be set when databaseMode is external: `pulumi config set --stack dev --secret argo-platform:databaseAdminPassword`/,
    );
  });

  it("never echoes a secret value", async () => {
    const message = await refused({
      databaseMode: "external",
      databaseAdminPassword: "hunter2",
      databaseHost: "db.example.com",
      databasePort: "x",
    });
    assert.doesNotMatch(message, /hunter2/);
  });

  it("accepts the TTL forms Argo's parser accepts, and nothing else", () => {
    // Expected values from Argo v4.1.2 config/ttl.go semantics.
    const table: [string, number | undefined][] = [
      ["30d", 30 * 86_400_000],
      ["720h", 720 * 3_600_000],
      ["90m", 90 * 60_000],
      ["45s", 45_000],
      ["+7d", 7 * 86_400_000],
      ["0", 0],
      ["", 0],
      ["1h30m", undefined],
      ["1.5h", undefined],
      ["30", undefined],
      ["100ms", undefined],
      ["d", undefined],
      ["30 d", undefined],
      ["1w", undefined],
      ["P30D", undefined],
    ];
    for (const [value, ms] of table) assert.equal(parseArgoTTL(value), ms, value);
    assert.ok(ARCHIVE_TTL_ALLOWED.includes("<n>d"));
  });

  it("declares every key in Pulumi.yaml with the same type and default as config.ts", () => {
    const declared = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).config as Record<string, any>;
    const schemaKeys = Object.keys(CONFIG_KEYS).filter((k) => !(SECRET_CONFIG_KEYS as readonly string[]).includes(k));
    assert.deepEqual(Object.keys(declared).sort(), schemaKeys.sort());
    for (const key of schemaKeys) {
      const spec = CONFIG_KEYS[key as keyof typeof CONFIG_KEYS] as { default?: string };
      if (spec.default !== undefined) {
        assert.equal(String(declared[key].default), spec.default, `${key} default`);
      } else {
        // No default in config.ts: the CLI must require it on every stack too.
        assert.ok(!("default" in declared[key]), `${key} has no default in Pulumi.yaml either`);
      }
      const expectedType = ["controllerReplicas", "serverReplicas", "databasePort"].includes(key)
        ? "integer"
        : ["controllerTokenLogin", "adoptRetainedObjects"].includes(key)
          ? "boolean"
          : "string";
      assert.equal(declared[key].type, expectedType, `${key} type`);
    }
  });

  it("makes render print the message and write nothing for a misspelt key in a stack file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-bad-"));
    const copy = projectCopy();
    fs.writeFileSync(
      path.join(copy.root, "Pulumi.render-test-bad.yaml"),
      `config:\n  ${PROJECT}:templateReferncing: Strict\n`,
    );
    try {
      const result = spawnSync(process.execPath, ["tools/render.ts", "--stack", "render-test-bad", "--out", dir], {
        cwd: copy.root,
        encoding: "utf8",
      });
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /argo-platform:templateReferncing = "Strict": not a key of this project/);
      assert.deepEqual(fs.readdirSync(dir), []);
    } finally {
      copy.remove();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
