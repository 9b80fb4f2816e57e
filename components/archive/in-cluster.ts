// A single PostgreSQL StatefulSet in the control plane that holds the workflow archive (development stacks).
import * as pulumi from "../shared/pulumi.ts";
import { keptServer } from "../shared/kept-server.ts";
import { NAMES, resources } from "../shared/kube.ts";
import { PORTS } from "../network-policies.ts";
import type { ArchiveConnection } from "./credentials.ts";
import { ARCHIVE_COMPONENT, SECRET_KEYS, archivePassword, credentialsSecret } from "./credentials.ts";

/**
 * Run after every start of the container (postStart): sets Argo's role's password to the one in the mounted Secret.
 * The image applies POSTGRES_PASSWORD only when it initialises an empty volume; the volume outlives a destroy, and
 * the next `up` generates a new password into the Secret, which would lock Argo out of its own archive. Over the
 * local socket, which the image trusts; the password goes in as a psql variable, never on a command line.
 * tests/archive-postgres.test.ts runs this script against a real PostgreSQL.
 */
export const SYNC_PASSWORD_SCRIPT = `set -eu
tries=0
until pg_isready --quiet --username="$POSTGRES_USER" --dbname=postgres; do
  tries=$((tries + 1))
  [ "$tries" -lt 120 ] || { echo "PostgreSQL did not become ready" >&2; exit 1; }
  sleep 1
done
echo "ALTER ROLE CURRENT_USER PASSWORD :'password';" |
  psql --no-psqlrc --quiet --set=ON_ERROR_STOP=1 --username="$POSTGRES_USER" --dbname=postgres \\
    --set=password="$(cat "$POSTGRES_PASSWORD_FILE")"
`;

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

const TYPE = ARCHIVE_COMPONENT.types.inCluster;

export class InClusterPostgres extends pulumi.ComponentResource {
  public readonly connection: ArchiveConnection;

  constructor(name: string, args: InClusterPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE, name, {}, opts);
    const cp = { input: args.controlPlane, name: args.controlPlaneName };
    const password = archivePassword("archive-password", this);
    const secret = credentialsSecret(this, TYPE, cp, args.user, password);

    const pgIsReady = ["pg_isready", "--host=127.0.0.1", `--username=${args.user}`, `--dbname=${args.database}`];
    // Not protected: the archive is the volume, not the StatefulSet. A destroy deletes the StatefulSet and keeps its
    // claim (persistentVolumeClaimRetentionPolicy, and the control-plane namespace is retained), so the next `up`
    // creates a StatefulSet of the same name that binds the same claim again, and the password sync lets Argo in.
    keptServer(this, {
      controlPlane: cp.input,
      controlPlaneName: cp.name,
      name: NAMES.archiveDatabaseService,
      component: "archive-database",
      port: { name: "postgres", port: PORTS.postgres },
      uid: POSTGRES_UID,
      container: {
        name: "postgres",
        image: POSTGRES_IMAGE,
        env: [
          { name: "POSTGRES_DB", value: args.database },
          { name: "POSTGRES_USER", value: args.user },
          // The password is read from the mounted Secret, never put in the environment.
          { name: "POSTGRES_PASSWORD_FILE", value: `/run/secrets/archive/${SECRET_KEYS.password}` },
          // A subdirectory, so initdb creates it with the right owner inside the mounted volume.
          { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
          // For the password sync below: the local socket (the image's own scripts unset it for theirs).
          { name: "PGHOST", value: "/var/run/postgresql" },
        ],
        lifecycle: { postStart: { exec: { command: ["sh", "-c", SYNC_PASSWORD_SCRIPT] } } },
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
      volumes: [
        { name: "credentials", secret: { secretName: secret.metadata.name, defaultMode: 0o440 } },
        { name: "run", emptyDir: {} },
        { name: "tmp", emptyDir: {} },
      ],
      storageSize: args.storageSize,
      storageClass: args.storageClass,
    });

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
