// The workflow archive: both database modes, what holds archive data is protected, and Argo is wired to the one
// Secret that carries the credentials.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as YAML from "yaml";
import { SECRET, loadReviewConfig, runProgram } from "../tools/offline.ts";
import { object, objects, resource, run, withOverrides } from "./support.ts";

const persistence = (r: any) => YAML.parse(object(r, "ConfigMap", "workflow-controller-configmap").data.persistence);

describe("workflow archive", () => {
  it("archives to PostgreSQL for 30 days by default, through the credentials Secret in control-plane", async () => {
    for (const stack of ["dev", "prod"]) {
      const r = await run(stack);
      const p = persistence(r);
      assert.equal(p.archive, true);
      assert.equal(p.archiveTTL, "30d");
      assert.equal(p.postgresql.tableName, "argo_workflows");
      assert.ok(p.connectionPool.maxOpenConns > 0 && p.connectionPool.maxIdleConns > 0);
      const secret = object(r, "Secret", p.postgresql.userNameSecret.name, "control-plane");
      assert.equal(p.postgresql.passwordSecret.name, secret.metadata.name);
      assert.deepEqual(
        Object.keys(secret.stringData).sort(),
        [p.postgresql.passwordSecret.key, p.postgresql.userNameSecret.key].sort(),
      );
    }
  });

  it("passes a configured TTL through unchanged", async () => {
    assert.equal(persistence(await run("dev", { archiveTTL: "7d" })).archiveTTL, "7d");
  });

  describe("in-cluster (dev)", () => {
    it("runs a non-root PostgreSQL whose volume survives the StatefulSet, its namespace and a destroy", async () => {
      const r = await run("dev");
      const sts = object(r, "StatefulSet", "archive-postgres", "control-plane");
      assert.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
      // Not protected, so `pulumi destroy` works; the archive is the claim, which outlives the StatefulSet.
      assert.equal(
        resource(r, "kubernetes:apps/v1:StatefulSet", "control-plane/archive-postgres").options.protect,
        false,
      );
      const namespace = resource(r, "kubernetes:core/v1:Namespace", "control-plane");
      assert.ok(namespace.options.retainOnDelete, "deleting the namespace would delete the claim");
      // ...and the next `up` adopts the namespace the destroy kept, through the provider that may adopt.
      const adopting = r.resources.find((x) => x.name === "kubernetes-retained-objects")!;
      assert.equal(namespace.options.provider, `${adopting.urn}::${adopting.name}-id`);
      assert.equal(adopting.inputs.upsertExistingObjects, "true");
      assert.equal(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage, "8Gi");
      const pod = sts.spec.template.spec;
      const [pg] = pod.containers;
      assert.match(pg.image, /^docker\.io\/library\/postgres:\d+\.\d+-/);
      assert.ok(pg.readinessProbe.exec.command.includes("pg_isready"));
      const mounts = Object.fromEntries(pg.volumeMounts.map((m: any) => [m.mountPath, m.name]));
      assert.equal(mounts["/var/lib/postgresql/data"], "data");
      for (const writable of ["/var/run/postgresql", "/tmp"]) {
        assert.ok(pod.volumes.find((v: any) => v.name === mounts[writable])?.emptyDir, `${writable} is an emptyDir`);
      }
      assert.ok(
        pg.env.every((e: any) => !/PASSWORD$/.test(e.name)),
        "the password is a mounted file, not an environment variable",
      );
      assert.ok(pg.env.some((e: any) => e.name === "POSTGRES_PASSWORD_FILE"));
    });

    it("reaches the database over the in-cluster Service, without TLS", async () => {
      const p = persistence(await run("dev"));
      assert.equal(p.postgresql.host, "archive-postgres.control-plane.svc");
      assert.equal(p.postgresql.port, 5432);
      assert.equal(p.postgresql.ssl, false);
      assert.equal(p.postgresql.sslMode, undefined);
    });

    it("uses the configured storage class and size", async () => {
      const r = await run("dev", { databaseStorageClass: "fast-ssd", databaseStorageSize: "20Gi" });
      const claim = object(r, "StatefulSet", "archive-postgres").spec.volumeClaimTemplates[0].spec;
      assert.equal(claim.storageClassName, "fast-ssd");
      assert.equal(claim.resources.requests.storage, "20Gi");
    });
  });

  describe("external (prod)", () => {
    it("creates a dedicated login role and a database it owns, with a generated password", async () => {
      const r = await run("prod");
      const provider = resource(r, "pulumi:providers:postgresql", "archive-admin");
      assert.equal(provider.inputs.host, "postgres.prod.internal.example.com");
      assert.equal(provider.inputs.sslmode, "verify-full");
      assert.equal(provider.inputs.username, "platform_admin");
      assert.deepEqual(
        provider.inputs.password,
        { [SECRET]: "offline-placeholder-for-secure-value" },
        "the admin password stays a secret",
      );
      assert.equal(provider.inputs.superuser, "false", "managed servers give no superuser");
      const role = resource(r, "postgresql:index/role:Role", "archive-role");
      assert.equal(role.inputs.name, "argo_workflows");
      assert.equal(role.inputs.login, true);
      assert.equal(role.inputs.superuser, false);
      assert.ok(SECRET in role.inputs.password, "the role's password is a secret");
      const password = resource(r, "random:index/randomPassword:RandomPassword", "archive-password");
      assert.equal(password.inputs.special, false, "no characters that break connection strings");
      assert.ok(password.inputs.length >= 32);
      const db = resource(r, "postgresql:index/database:Database", "archive-database");
      assert.equal(
        db.inputs.owner,
        "argo_workflows",
        "the controller migrates its schema, so it must own the database",
      );
      assert.ok(db.options.protect && db.options.retainOnDelete, "a diff cannot delete the archive");
      assert.ok(role.options.retainOnDelete);
    });

    it("verifies the server by default (verify-full), with the stack's CA for Argo and for Pulumi alike", async () => {
      const r = await run("prod");
      const p = persistence(r);
      assert.equal(p.postgresql.ssl, true);
      assert.equal(p.postgresql.sslMode, "verify-full");
      assert.equal(resource(r, "pulumi:providers:postgresql", "archive-admin").inputs.sslmode, "verify-full");
      for (const name of ["workflow-controller", "argo-server"]) {
        const pod = object(r, "Deployment", name).spec.template.spec;
        assert.ok(!JSON.stringify(pod).includes("pgcerts"), `${name}: nothing in v4.1.2 uses /home/argo/pgcerts`);
        assert.ok(!(pod.containers[0].env ?? []).some((e: any) => e.name === "PGSSLROOTCERT"), "system roots");
      }

      const pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUexample\n-----END CERTIFICATE-----\n";
      const withCa = await run("prod", { databaseCaCertificate: pem });
      assert.equal(object(withCa, "ConfigMap", "argo-archive-database-ca", "control-plane").data["ca.crt"], pem);
      for (const name of ["workflow-controller", "argo-server"]) {
        const pod = object(withCa, "Deployment", name).spec.template.spec;
        const [container] = pod.containers;
        const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
        const mount = container.volumeMounts.find((m: any) => env.PGSSLROOTCERT?.startsWith(m.mountPath + "/"));
        assert.ok(mount, `${name}: PGSSLROOTCERT points into a mounted volume`);
        const volume = pod.volumes.find((v: any) => v.name === mount.name);
        assert.equal(volume.configMap.name, "argo-archive-database-ca");
        assert.equal(env.PGSSLROOTCERT, `${mount.mountPath}/${volume.configMap.items[0].path}`);
      }
      // The PostgreSQL provider takes a path: the same PEM, written where pulumi runs.
      const sslrootcert = resource(withCa, "pulumi:providers:postgresql", "archive-admin").inputs.sslrootcert;
      assert.equal(fs.readFileSync(sslrootcert, "utf8"), pem);
      await assert.rejects(
        runProgram(withOverrides(loadReviewConfig("prod"), { databaseCaCertificate: "not a certificate" })),
        /argo-platform:databaseCaCertificate = "not a certificate": must be empty \(the system's CA roots\), or PEM/,
      );
    });

    it("creates the credentials Secret only after the role exists, and starts Argo only after the database does", async () => {
      const r = await run("prod");
      const db = resource(r, "postgresql:index/database:Database", "archive-database");
      const secret = resource(r, "kubernetes:core/v1:Secret", "control-plane/argo-archive-database");
      for (const name of ["control-plane/workflow-controller", "control-plane/argo-server"]) {
        const deps = resource(r, "kubernetes:apps/v1:Deployment", name).options.dependsOn;
        assert.ok(deps.includes(db.urn) && deps.includes(secret.urn), name);
      }
      assert.equal(objects(r, "StatefulSet").length, 0, "no in-cluster database");
    });
  });
});
