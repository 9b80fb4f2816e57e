// A single PostgreSQL StatefulSet in the control plane that holds the workflow archive (development stacks).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  NAMES,
  RESTRICTED_CONTAINER_SECURITY_CONTEXT,
  logicalName,
  metadata,
  resources,
  restrictedPodSecurityContext,
  selectorLabels,
} from "../shared/kube.ts";
import { PORTS } from "../network-policies.ts";
import type { ArchiveConnection } from "./credentials.ts";
import { SECRET_KEYS, archivePassword, credentialsSecret } from "./credentials.ts";

/** Pinned image; the Debian variant's `postgres` user is uid 999. */
export const POSTGRES_IMAGE = "docker.io/library/postgres:17.6-bookworm";
const POSTGRES_UID = 999;

export interface InClusterPostgresArgs {
  controlPlane: pulumi.Input<string>;
  controlPlaneName: string;
  /** Database that holds the archive. */
  database: string;
  /** Role Argo logs in as; the image makes it the owner of `database`. */
  user: string;
  /** Size of the data volume, e.g. `8Gi`. */
  storageSize: string;
  /** StorageClass of the data volume; empty for the cluster's default. */
  storageClass: string;
}

export class InClusterPostgres extends pulumi.ComponentResource {
  public readonly connection: ArchiveConnection;

  constructor(name: string, args: InClusterPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("argo-platform:archive:InClusterPostgres", name, {}, opts);
    const cp = { input: args.controlPlane, name: args.controlPlaneName };
    const password = archivePassword("archive-password", this);
    const secret = credentialsSecret(this, cp, args.user, password);

    new k8s.core.v1.Service(
      logicalName(cp.name, NAMES.archiveDatabaseService),
      {
        metadata: metadata(cp.input, NAMES.archiveDatabaseService, "archive-database"),
        spec: {
          selector: selectorLabels("archive-database"),
          ports: [{ name: "postgres", port: PORTS.postgres, targetPort: "postgres" }],
        },
      },
      { parent: this },
    );

    const pgIsReady = ["pg_isready", "--host=127.0.0.1", `--username=${args.user}`, `--dbname=${args.database}`];
    // Protected: deleting or replacing it needs a deliberate `pulumi state unprotect`. Its volume is kept even then
    // (persistentVolumeClaimRetentionPolicy), and a new StatefulSet of the same name binds the same claim again.
    new k8s.apps.v1.StatefulSet(
      logicalName(cp.name, NAMES.archiveDatabaseService),
      {
        metadata: metadata(cp.input, NAMES.archiveDatabaseService, "archive-database"),
        spec: {
          serviceName: NAMES.archiveDatabaseService,
          replicas: 1,
          selector: { matchLabels: selectorLabels("archive-database") },
          persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
          template: {
            metadata: { labels: metadata(undefined, NAMES.archiveDatabaseService, "archive-database").labels },
            spec: {
              automountServiceAccountToken: false,
              securityContext: restrictedPodSecurityContext(POSTGRES_UID),
              containers: [
                {
                  name: "postgres",
                  image: POSTGRES_IMAGE,
                  ports: [{ name: "postgres", containerPort: PORTS.postgres }],
                  env: [
                    { name: "POSTGRES_DB", value: args.database },
                    { name: "POSTGRES_USER", value: args.user },
                    // The password is read from the mounted Secret, never put in the environment.
                    { name: "POSTGRES_PASSWORD_FILE", value: `/run/secrets/archive/${SECRET_KEYS.password}` },
                    // A subdirectory, so initdb creates it with the right owner inside the mounted volume.
                    { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
                  ],
                  securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
                  resources: resources("100m", "256Mi", "1", "1Gi"),
                  readinessProbe: { exec: { command: pgIsReady }, periodSeconds: 10, timeoutSeconds: 5 },
                  livenessProbe: {
                    exec: { command: pgIsReady },
                    initialDelaySeconds: 30,
                    periodSeconds: 30,
                    timeoutSeconds: 5,
                    failureThreshold: 6,
                  },
                  volumeMounts: [
                    { name: "data", mountPath: "/var/lib/postgresql/data" },
                    { name: "credentials", mountPath: "/run/secrets/archive", readOnly: true },
                    // The root filesystem is read-only; PostgreSQL writes its socket and lock files and temp files here.
                    { name: "run", mountPath: "/var/run/postgresql" },
                    { name: "tmp", mountPath: "/tmp" },
                  ],
                },
              ],
              volumes: [
                { name: "credentials", secret: { secretName: secret.metadata.name, defaultMode: 0o440 } },
                { name: "run", emptyDir: {} },
                { name: "tmp", emptyDir: {} },
              ],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: "data", labels: metadata(undefined, "data", "archive-database").labels },
              spec: {
                accessModes: ["ReadWriteOnce"],
                ...(args.storageClass ? { storageClassName: args.storageClass } : {}),
                resources: { requests: { storage: args.storageSize } },
              },
            },
          ],
        },
      },
      { parent: this, protect: true },
    );

    this.connection = {
      // Spelt out rather than taken from the Service's outputs: the name is fixed, and waiting for the Service
      // would hold the ConfigMap (and so the controller and server) back one creation wave for nothing.
      host: pulumi.output(`${NAMES.archiveDatabaseService}.${args.controlPlaneName}.svc`),
      port: PORTS.postgres,
      database: args.database,
      // Traffic stays in the cluster and only the controller and server may reach the pod (NetworkPolicy).
      ssl: false,
      secretName: NAMES.archiveSecret,
      // Only the Secret: the binaries read it at start. Waiting for the database to be ready as well would add a
      // creation wave for nothing; a controller that starts first restarts until PostgreSQL accepts connections.
      readyResources: [secret],
    };
    this.registerOutputs({ connection: this.connection });
  }
}
