// Argo Workflows as installed: strict template-only mode, defaults that make every template run with no token,
// pods the restricted namespace admits, a client-mode https server, and a validated template library.
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { unknownKeys } from "../components/argo/schema.ts";
import { TEMPLATES_DIR, loadTemplates, templateProblems } from "../components/argo/workflow-templates.ts";
import { CONTROLLER_CONFIG_KEYS, unknownConfigKeys } from "./argo-config-keys.ts";
import type { ProgramRun } from "../tools/offline.ts";
import { loadReviewConfig, runProgram } from "../tools/offline.ts";
import { measuredWaves } from "../tools/waves.ts";
import { corpus } from "./policy/support.ts";
import type { K8sObject } from "./support.ts";
import { object, objects, resource, run, stackNames, withOverrides, withTemplates } from "./support.ts";

/** The configuration text Argo builds from the ConfigMap (config/controller.go parseConfigMap), parsed. */
function argoView(configMap: K8sObject): any {
  const data: Record<string, string> = configMap.data;
  assert.ok(!("config" in data) || Object.keys(data).length === 1, "a `config` key must be the only key");
  let text = data.config ?? "";
  if (!("config" in data)) {
    for (const [name, value] of Object.entries(data)) {
      text += value.includes("\n")
        ? `${name}:\n  ${value
            .replace(/^\n+|\n+$/g, "")
            .split("\n")
            .join("\n  ")}\n`
        : `${name}: ${value}\n`;
    }
  }
  return YAML.parse(text);
}

const configOf = async (stack: string, overrides = {}) =>
  argoView(object(await run(stack, overrides), "ConfigMap", "workflow-controller-configmap"));

describe("Argo Workflows", () => {
  for (const stack of stackNames()) {
    it(`${stack}: the controller ConfigMap holds only keys Argo v4.1.2 knows`, async () => {
      const config = await configOf(stack);
      assert.deepEqual(unknownConfigKeys(config, CONTROLLER_CONFIG_KEYS, unknownKeys), []);
      // The check itself must catch a misspelling, at the top level and deep inside an Argo type.
      const broken = {
        ...config,
        archiveTtl: "30d",
        workflowDefaults: { spec: { ...config.workflowDefaults.spec, executer: {} } },
      };
      assert.deepEqual(unknownConfigKeys(broken, CONTROLLER_CONFIG_KEYS, unknownKeys).sort(), [
        "archiveTtl",
        "workflowDefaults.spec.executer",
      ]);
    });
  }

  it("enforces strict template-only mode by default, and Secure where a stack asks", async () => {
    assert.deepEqual((await configOf("dev")).workflowRestrictions, { templateReferencing: "Strict" });
    assert.deepEqual((await configOf("dev", { templateReferencing: "Secure" })).workflowRestrictions, {
      templateReferencing: "Secure",
    });
  });

  it("defaults every workflow to the executor account with no token, so a template without an executor block runs", async () => {
    const r = await run("dev");
    const spec = argoView(object(r, "ConfigMap", "workflow-controller-configmap")).workflowDefaults.spec;
    assert.equal(spec.automountServiceAccountToken, false);
    assert.equal(spec.serviceAccountName, "data-plane-service-account");
    assert.equal(spec.executor.serviceAccountName, "data-plane-service-account", "mandatory once automount is off");
    assert.ok(
      spec.ttlStrategy.secondsAfterCompletion > 0 && spec.podGC.strategy,
      "completed Workflow objects leave the cluster",
    );
    // What that account needs: its token Secret under the name Argo looks up, and a controller that can find it.
    const token = object(r, "Secret", "data-plane-service-account.service-account-token", "data-plane");
    assert.equal(token.type, "kubernetes.io/service-account-token");
    assert.equal(token.metadata.annotations["kubernetes.io/service-account.name"], "data-plane-service-account");
    const account = resource(r, "kubernetes:core/v1:ServiceAccount", "data-plane/data-plane-service-account");
    assert.ok(
      resource(
        r,
        "kubernetes:core/v1:Secret",
        "data-plane/data-plane-service-account.service-account-token",
      ).options.dependsOn.includes(account.urn),
    );
  });

  it("makes every pod the controller builds acceptable to Pod Security restricted", async () => {
    const config = await configOf("dev");
    const pod = config.workflowDefaults.spec.securityContext;
    assert.equal(pod.runAsNonRoot, true);
    assert.equal(pod.runAsUser, 8737);
    assert.equal(pod.seccompProfile.type, "RuntimeDefault");
    for (const [name, container] of [
      ["executor", config.executor],
      ["mainContainer", config.mainContainer],
    ]) {
      const sc = container.securityContext;
      assert.equal(sc.allowPrivilegeEscalation, false, name);
      assert.deepEqual(sc.capabilities.drop, ["ALL"], name);
      assert.equal(sc.runAsNonRoot, true, name);
      assert.equal(sc.seccompProfile.type, "RuntimeDefault", name);
      assert.ok(container.resources.requests && container.resources.limits, name);
    }
    assert.equal(config.executor.securityContext.readOnlyRootFilesystem, true);
    // The -nonroot variant: the plain argoexec image's user is root.
    assert.equal(config.executor.image, "quay.io/argoproj/argoexec:v4.1.2-nonroot");
  });

  it("runs the controller namespaced, managing only the data plane, with an explicit short-lived API token", async () => {
    const r = await run("dev");
    const pod = object(r, "Deployment", "workflow-controller", "control-plane").spec.template.spec;
    const [c] = pod.containers;
    assert.equal(c.image, "quay.io/argoproj/workflow-controller:v4.1.2");
    assert.deepEqual(c.args, [
      "--configmap",
      "workflow-controller-configmap",
      "--namespaced",
      "--managed-namespace=data-plane",
    ]);
    assert.equal(pod.serviceAccountName, "controller-service-account");
    assert.equal(
      c.env.find((e: any) => e.name === "LEADER_ELECTION_IDENTITY").valueFrom.fieldRef.fieldPath,
      "metadata.name",
    );
    assert.ok(c.ports.some((p: any) => p.containerPort === 9090) && c.livenessProbe.httpGet.path === "/healthz");
    const mount = c.volumeMounts.find((m: any) => m.mountPath === "/var/run/secrets/kubernetes.io/serviceaccount");
    const sources = pod.volumes.find((v: any) => v.name === mount.name).projected.sources;
    assert.ok(sources[0].serviceAccountToken.expirationSeconds <= 3600);
    assert.equal(sources[1].configMap.name, "kube-root-ca.crt");
    assert.equal(
      sources[2].downwardAPI.items[0].path,
      "namespace",
      "without it Argo looks for its ConfigMap in `default`",
    );
  });

  it("rolls both binaries when the ConfigMap changes, via a checksum on their pod templates", async () => {
    const checksums = async (overrides: Record<string, string>) => {
      const r = await run("dev", overrides);
      const data = object(r, "ConfigMap", "workflow-controller-configmap").data;
      const expected = crypto
        .createHash("sha256")
        .update(JSON.stringify(data, Object.keys(data).sort()))
        .digest("hex");
      const seen = ["workflow-controller", "argo-server"].map(
        (d) => object(r, "Deployment", d).spec.template.metadata.annotations["argo-platform/config-checksum"],
      );
      assert.deepEqual(seen, [expected, expected]);
      return expected;
    };
    assert.notEqual(await checksums({}), await checksums({ archiveTTL: "14d" }));
  });

  it("serves the UI over https on 2746 in client auth mode only", async () => {
    const r = await run("dev");
    const pod = object(r, "Deployment", "argo-server", "control-plane").spec.template.spec;
    const [c] = pod.containers;
    assert.equal(c.image, "quay.io/argoproj/argocli:v4.1.2");
    assert.equal(c.args[0], "server");
    assert.ok(c.args.includes("--auth-mode=client"));
    assert.ok(!c.args.some((a: string) => /auth-mode=(server|sso)|^server,|,server/.test(a)), "no server auth mode");
    assert.ok(
      c.args.includes("--secure=true") &&
        c.args.includes("--namespaced") &&
        c.args.includes("--managed-namespace=data-plane"),
    );
    assert.equal(c.readinessProbe.httpGet.scheme, "HTTPS");
    assert.equal(c.ports[0].containerPort, 2746);
    assert.ok(
      pod.volumes.find((v: any) => v.name === c.volumeMounts.find((m: any) => m.mountPath === "/tmp").name).emptyDir,
    );
    const service = object(r, "Service", "argo-server", "control-plane");
    assert.deepEqual(service.spec.ports, [{ name: "web", port: 2746, targetPort: "web" }]);
    assert.equal(r.outputs.uiUrl, "https://localhost:2746/workflows/data-plane");
    assert.equal(r.outputs.portForwardCommand, "kubectl -n control-plane port-forward svc/argo-server 2746:2746");
  });

  it("uses a stack's own certificate when one is named, and lets only the server read it", async () => {
    const r = await run("dev", { serverTlsSecretName: "argo-server-tls" });
    const args: string[] = object(r, "Deployment", "argo-server").spec.template.spec.containers[0].args;
    assert.equal(args[args.indexOf("--tls-certificate-secret-name") + 1], "argo-server-tls");
    const role = object(r, "Role", "argo-server", "control-plane");
    assert.ok(
      role.rules.some(
        (rule: any) => rule.resources.includes("secrets") && rule.resourceNames.includes("argo-server-tls"),
      ),
    );
  });

  it("adds disruption budgets where a binary has more than one replica", async () => {
    assert.deepEqual(objects(await run("dev"), "PodDisruptionBudget"), []);
    const prod = await run("prod");
    assert.deepEqual(
      objects(prod, "PodDisruptionBudget")
        .map((p) => p.metadata.name)
        .sort(),
      ["argo-server", "workflow-controller"],
    );
    assert.equal(object(prod, "Deployment", "workflow-controller").spec.replicas, 2);
  });

  it("installs all eight CRDs, and creates templates only after theirs", async () => {
    const r = await run("dev");
    const crds = objects(r, "CustomResourceDefinition");
    assert.deepEqual(crds.map((c) => c.spec.names.plural).sort(), [
      "clusterworkflowtemplates",
      "cronworkflows",
      "workflowartifactgctasks",
      "workfloweventbindings",
      "workflows",
      "workflowtaskresults",
      "workflowtasksets",
      "workflowtemplates",
    ]);
    for (const c of crds) assert.equal(c.spec.group, "argoproj.io");
    const crd = resource(
      r,
      "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
      "workflowtemplates.argoproj.io",
    );
    const templates = r.resources.filter((x) => x.type === "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate");
    assert.ok(templates.length >= 1);
    for (const t of templates) {
      assert.ok(t.options.dependsOn.includes(crd.urn), t.name);
      assert.equal(t.inputs.metadata.namespace, "data-plane");
    }
  });

  it("creates each stack in as many waves as its longest dependency chain (dev 3, prod 4)", async () => {
    for (const [stack, chain] of [
      ["dev", 3], // namespace, account, binding
      ["prod", 4], // password, role, database, then the binaries
    ] as const) {
      const { waves, lowerBound } = await measuredWaves(stack);
      assert.equal(lowerBound, chain, stack);
      assert.equal(waves, lowerBound, stack);
    }
  });

  it("serves one certificate from all argo-server replicas, rolled when it changes", async () => {
    // Self-signed (Argo's own, per replica and per start) only with a single replica.
    await assert.rejects(
      runProgram(withOverrides(loadReviewConfig("dev"), { serverReplicas: "2" })),
      /argo-platform:serverReplicas = "2": must be 1 unless argo-server has one certificate for all replicas/,
    );
    // prod: a Secret that cert-manager keeps, read by name.
    const prod = await run("prod");
    const prodArgs = object(prod, "Deployment", "argo-server").spec.template.spec.containers[0].args;
    assert.equal(prodArgs[prodArgs.indexOf("--tls-certificate-secret-name") + 1], "argo-server-tls");
    // Kept by this program: a kubernetes.io/tls Secret, and its certificate's checksum on the pods.
    const pem = (label: string) => `-----BEGIN CERTIFICATE-----\n${label}\n-----END CERTIFICATE-----\n`;
    const key = "-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n";
    const managed = (cert: string) =>
      run("dev", { serverReplicas: "2", serverTlsCertificate: cert, serverTlsKey: key });
    const a = await managed(pem("one"));
    const secret = object(a, "Secret", "argo-server-tls", "control-plane");
    assert.equal(secret.type, "kubernetes.io/tls");
    assert.ok(
      "<secret>" in resource(a, "kubernetes:core/v1:Secret", "control-plane/argo-server-tls").inputs.stringData,
    );
    const checksum = (r: ProgramRun) =>
      object(r, "Deployment", "argo-server").spec.template.metadata.annotations[
        "argo-platform/server-certificate-checksum"
      ];
    assert.match(checksum(a), /^[0-9a-f]{64}$/);
    assert.notEqual(checksum(a), checksum(await managed(pem("two"))));
    const args = object(a, "Deployment", "argo-server").spec.template.spec.containers[0].args;
    assert.equal(args[args.indexOf("--tls-certificate-secret-name") + 1], "argo-server-tls");
    await assert.rejects(
      runProgram(withOverrides(loadReviewConfig("dev"), { serverTlsCertificate: pem("x") })),
      /argo-platform:serverTlsKey = \(not set\): must be set with serverTlsCertificate/,
    );
  });

  describe("WorkflowTemplate library", () => {
    it("ships valid templates, each running as the executor account without a token", async () => {
      const templates = loadTemplates();
      assert.ok(templates.length >= 1);
      for (const t of templates) {
        assert.equal(t.body.spec.serviceAccountName, "data-plane-service-account");
        assert.equal(t.body.spec.automountServiceAccountToken, false);
        assert.ok(t.body.spec.arguments?.parameters?.length, `${t.name} is parameterised`);
      }
      assert.deepEqual(
        (await run("dev")).outputs.workflowTemplates,
        templates.map((t) => t.name),
      );
    });

    it("finds the same unknown keys with the generated validator as by walking Argo's published schema", () => {
      // Every object of every corpus template gets a key no Argo type declares: the closed ones must name it, maps
      // (labels, parameters' values) and free-form objects must not, and both enforcers of isClosed must agree.
      const PLANTED = "plantedUnknownKey";
      const plant = (value: any): any => {
        if (Array.isArray(value)) return value.map(plant);
        if (!value || typeof value !== "object") return value;
        return { ...Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plant(v)])), [PLANTED]: "x" };
      };
      let closed = 0;
      for (const entry of corpus()) {
        const body = plant(entry.body);
        const byValidator = templateProblems(body)
          .filter((p) => p.message.startsWith("is not a field"))
          .map((p) => p.path)
          .sort();
        const byWalk = unknownKeys(body, "io.argoproj.workflow.v1alpha1.WorkflowTemplate").sort();
        assert.deepEqual(byValidator, byWalk, entry.file);
        assert.ok(byWalk.includes(PLANTED) && byWalk.includes(`spec.${PLANTED}`), entry.file);
        closed += byWalk.length;
      }
      assert.ok(closed > 1000, `${closed} planted keys found`);
    });

    it("refuses a broken template with the file name and the path of each problem", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "templates-"));
      const good = YAML.parse(fs.readFileSync(path.join(TEMPLATES_DIR, "platform-smoke-test.yaml"), "utf8"));
      const bad = structuredClone(good);
      bad.metadata.name = "broken";
      bad.spec.automountServiceAccountToken = true;
      bad.spec.templates[0].container.imagePullPolicyy = "Always";
      bad.spec.templates[0].container.securityContext = { privileged: true, runAsUser: 0 };
      bad.spec.templates[0].activeDeadlineSeconds = { not: "a number" };
      fs.writeFileSync(path.join(dir, "broken.yaml"), YAML.stringify(bad));
      fs.writeFileSync(path.join(dir, "good.yaml"), YAML.stringify(good));
      try {
        assert.throws(
          () => loadTemplates(dir),
          (e: Error) => {
            assert.match(
              e.message,
              /broken\.yaml: spec\.automountServiceAccountToken: must not be true: .*\(platform rule automount-token\)/,
            );
            assert.match(
              e.message,
              /broken\.yaml: spec\.templates\[0\]\.container\.imagePullPolicyy: is not a field Argo v4\.1\.2 knows/,
            );
            assert.match(
              e.message,
              /broken\.yaml: spec\.templates\[0\]\.container\.securityContext\.privileged: must not be true/,
            );
            assert.match(
              e.message,
              /broken\.yaml: spec\.templates\[0\]\.container\.securityContext\.runAsUser: must not be 0/,
            );
            assert.match(e.message, /broken\.yaml: spec\.templates\[0\]\.activeDeadlineSeconds: .*\(Argo v4 schema\)/);
            assert.doesNotMatch(e.message, /good\.yaml/);
            return true;
          },
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("stops the program before any resource is registered when a template in templates/ is broken", async () => {
      const broken = withTemplates("dev", (dir) =>
        fs.writeFileSync(
          path.join(dir, "zz-broken-by-test.yaml"),
          "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: zz}\nspec: {entrypoint: main, serviceAccountName: default, templates: [{name: main}]}\n",
        ),
      );
      await assert.rejects(broken, (e: any) => {
        assert.match(
          e.message,
          /templates\/zz-broken-by-test\.yaml: spec\.serviceAccountName: must be data-plane-service-account or unset \(found "default"\)/,
        );
        assert.deepEqual(e.registered, []);
        return true;
      });
    });
  });
});
