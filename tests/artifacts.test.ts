// Artifacts between steps and logs that outlive their pods: a default artifact repository in the data plane for
// every stack, checked against Argo's schema, with every Secret it names, and the dev stack's own object store.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { Ajv2020 } from "ajv/dist/2020.js";
import { unknownKeys } from "../components/argo/schema.ts";
import { loadTemplates } from "../components/argo/workflow-templates.ts";
import { widenedSchema } from "../components/argo/schema/widen.ts";
import { loadStackConfig, runProgram } from "../tools/offline.ts";
import { SCHEMA_FILE } from "../components/argo/schema.ts";
import type { K8sObject } from "./support.ts";
import { object, objects, resource, run, stackNames, withOverrides } from "./support.ts";

const REPOSITORY_DEFINITION = "io.argoproj.workflow.v1alpha1.ArtifactRepository";
const validateRepository = (() => {
  const { definitions } = widenedSchema(JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")));
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  return ajv.compile({ $ref: `#/definitions/${REPOSITORY_DEFINITION}`, definitions });
})();

/** The default repository as the controller resolves it (workflow/artifactrepositories: annotation -> data key). */
function defaultRepository(configMap: K8sObject): any {
  const key = configMap.metadata.annotations["workflows.argoproj.io/default-artifact-repository"];
  assert.ok(key && configMap.data[key], "the annotation names a key of the ConfigMap");
  return YAML.parse(configMap.data[key]);
}

async function refused(overrides: Record<string, string | undefined>): Promise<string> {
  try {
    await runProgram(withOverrides(loadStackConfig("dev"), overrides));
  } catch (e: any) {
    assert.deepEqual(
      e.registered.filter((x: any) => x.type !== "pulumi:pulumi:Stack"),
      [],
      "nothing registered",
    );
    return e.message;
  }
  throw new Error("expected the configuration to be refused");
}

describe("artifacts and logs", () => {
  for (const stack of stackNames()) {
    it(`${stack}: a default repository in the data plane that Argo reads, logs archived, its Secret complete`, async () => {
      const r = await run(stack);
      const repo: any = defaultRepository(object(r, "ConfigMap", "artifact-repositories", "data-plane"));
      const valid = validateRepository({ ...repo }); // (a copy: ajv's type guard would narrow `repo` to unknown)
      assert.ok(valid, JSON.stringify(validateRepository.errors));
      assert.deepEqual(unknownKeys(repo, REPOSITORY_DEFINITION), []);
      assert.equal(repo.archiveLogs, true);
      for (const ref of [repo.s3.accessKeySecret, repo.s3.secretKeySecret].filter(Boolean)) {
        // The controller mounts it into workflow pods, which live in the data plane.
        const secret = object(r, "Secret", ref.name, "data-plane");
        assert.ok(ref.key in (secret.stringData ?? secret.data ?? {}), `${ref.name} has ${ref.key}`);
      }
      assert.ok(!!repo.s3.useSDKCreds !== !!repo.s3.accessKeySecret, "either a key pair or workload identity");
    });
  }

  it("dev: an in-cluster S3-compatible store, pinned, reachable only by workflow pods and argo-server, kept", async () => {
    const r = await run("dev");
    const repo = defaultRepository(object(r, "ConfigMap", "artifact-repositories", "data-plane"));
    assert.equal(repo.s3.endpoint, "artifact-store.control-plane.svc:9000");
    assert.equal(repo.s3.insecure, true);
    assert.deepEqual(repo.s3.createBucketIfNotPresent, {});
    const sts = object(r, "StatefulSet", "artifact-store", "control-plane");
    assert.match(
      sts.spec.template.spec.containers[0].image,
      /^quay\.io\/minio\/minio:RELEASE\.[\dT-]+Z@sha256:[0-9a-f]{64}$/,
    );
    assert.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
    // The data path comes last: MinIO reads flags only before it (as in Argo's quick-start manifest).
    const command: string[] = sts.spec.template.spec.containers[0].command;
    assert.deepEqual(command.slice(0, 2), ["minio", "server"]);
    assert.equal(command.at(-1), "/data");
    assert.ok(command.slice(2, -1).every((arg, i) => (i % 2 === 0 ? arg.startsWith("--") : !arg.startsWith("--"))));
    assert.ok(resource(r, "kubernetes:core/v1:Namespace", "control-plane").options.retainOnDelete);
    // The store's credentials are generated, secret, and the same in both Secrets.
    const passwords = r.resources.filter((x) => x.type === "random:index/randomPassword:RandomPassword");
    assert.ok(passwords.some((p) => p.name === "artifact-store-access-key"));
    assert.ok(passwords.some((p) => p.name === "artifact-store-secret-key"));
    const own = r.resources.find((x) => x.name === "control-plane/artifact-store-root")!;
    const argo = r.resources.find((x) => x.name === "data-plane/argo-artifact-store")!;
    assert.ok("<secret>" in own.inputs.stringData && "<secret>" in argo.inputs.stringData, "marked secret");
    assert.deepEqual(own.inputs.stringData, argo.inputs.stringData);
    const policy = object(r, "NetworkPolicy", "allow-artifact-store", "control-plane");
    const [from] = policy.spec.ingress;
    assert.deepEqual(from.ports, [{ protocol: "TCP", port: 9000 }]);
    assert.deepEqual(from.from[0], {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "data-plane" } },
      podSelector: { matchExpressions: [{ key: "workflows.argoproj.io/workflow", operator: "Exists" }] },
    });
    assert.equal(from.from[1].podSelector.matchLabels["app.kubernetes.io/component"], "server");
    assert.equal(from.from.length, 2);
  });

  it("prod: workload identity, so no key exists; the two accounts that reach the bucket carry the role", async () => {
    const r = await run("prod");
    const repo = defaultRepository(object(r, "ConfigMap", "artifact-repositories", "data-plane"));
    assert.equal(repo.s3.useSDKCreds, true);
    assert.equal(objects(r, "Secret").filter((s) => s.metadata.name === "argo-artifact-store").length, 0);
    assert.equal(objects(r, "StatefulSet").filter((s) => s.metadata.name === "artifact-store").length, 0);
    for (const [ns, name] of [
      ["data-plane", "data-plane-service-account"],
      ["control-plane", "server-service-account"],
    ]) {
      const sa = object(r, "ServiceAccount", name, ns);
      assert.match(sa.metadata.annotations["eks.amazonaws.com/role-arn"], /^arn:aws:iam::\d+:role\//);
    }
    assert.equal(
      object(r, "ServiceAccount", "controller-service-account", "control-plane").metadata.annotations,
      undefined,
    );
  });

  it("keeps logs at least as long as the archive: no artifact GC unless a template asks, never stuck on it", async () => {
    const r = await run("dev", { archiveTTL: "45d" });
    const defaults = YAML.parse(
      object(r, "ConfigMap", "workflow-controller-configmap", "control-plane").data.workflowDefaults,
    );
    assert.equal(defaults.spec.artifactGC.strategy, undefined);
    assert.equal(defaults.spec.artifactGC.forceFinalizerRemoval, true);
    assert.equal(defaults.spec.artifactGC.serviceAccountName, "data-plane-service-account");
    assert.equal(r.outputs.artifacts.keepObjectsAtLeastDays, 46);
  });

  it("refuses bad artifact configuration before any resource, naming the key", async () => {
    const s3 = {
      artifactStore: "s3",
      artifactEndpoint: "s3.eu-west-1.amazonaws.com",
      artifactAccessKey: "a",
      artifactSecretKey: "b",
    };
    assert.match(
      await refused({ ...s3, artifactEndpoint: undefined }),
      /argo-platform:artifactEndpoint = \(not set\): must be set when artifactStore is s3/,
    );
    assert.match(
      await refused({ ...s3, artifactEndpoint: "https://s3.example.com" }),
      /argo-platform:artifactEndpoint = "https:\/\/s3\.example\.com": must be empty, or host\[:port\] of the S3 API without a scheme/,
    );
    assert.match(
      await refused({ ...s3, artifactStore: "gcs" }),
      /argo-platform:artifactStore = "gcs": must be in-cluster .* or s3/,
    );
    assert.match(
      await refused({ ...s3, artifactBucket: "Not_A_Bucket" }),
      /argo-platform:artifactBucket = "Not_A_Bucket"/,
    );
    const noKeys = await refused({ ...s3, artifactAccessKey: undefined, artifactSecretKey: undefined });
    assert.match(
      noKeys,
      /argo-platform:artifactAccessKey = \(not set\): must be set when artifactStore is s3 with static credentials/,
    );
    assert.match(noKeys, /argo-platform:artifactSecretKey = \(not set\)/);
    assert.match(
      await refused({ ...s3, artifactCredentials: "workload-identity", artifactIdentityAnnotations: "[1]" }),
      /argo-platform:artifactIdentityAnnotations = "\[1\]": must be a JSON object/,
    );
    assert.doesNotMatch(await refused({ ...s3, artifactSecretKey: "hunter2", artifactBucket: "X" }), /hunter2/);
  });

  it("ships a template that passes an artifact and a parameter from one step to the next", () => {
    const t = loadTemplates().find((x) => x.name === "artifact-passing")!;
    const [produce, consume] = ["produce", "consume"].map((n) => t.body.spec.templates.find((x: any) => x.name === n));
    const steps = t.body.spec.templates.find((x: any) => x.name === t.body.spec.entrypoint).steps;
    assert.deepEqual(
      steps.map((group: any[]) => group.map((s) => s.template)),
      [["produce"], ["consume"]],
    );
    const handOver = steps[1][0].arguments;
    assert.equal(
      handOver.artifacts[0].from,
      `{{steps.produce.outputs.artifacts.${produce.outputs.artifacts[0].name}}}`,
    );
    assert.equal(
      handOver.parameters[0].value,
      `{{steps.produce.outputs.parameters.${produce.outputs.parameters[0].name}}}`,
    );
    assert.equal(consume.inputs.artifacts[0].name, produce.outputs.artifacts[0].name);
    assert.ok(fs.existsSync(path.join("templates", "artifact-passing.yaml")));
  });
});
