// Argo's own role and database on an existing PostgreSQL server (staging and production stacks).
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import * as k8s from "../shared/k8s.ts";
import type * as PostgreSql from "@pulumi/postgresql";
import * as pulumi from "../shared/pulumi.ts";
import { NAMES, logicalName, metadata } from "../shared/kube.ts";
import type { ArchiveConnection } from "./credentials.ts";
import { ARCHIVE_COMPONENT, archivePassword, credentialsSecret } from "./credentials.ts";

// Required, not imported, like the other provider SDKs (components/shared/pulumi.ts says why).
const postgresql: typeof PostgreSql = createRequire(import.meta.url)("@pulumi/postgresql");

export interface ExternalPostgresArgs {
  controlPlane: pulumi.Input<string>;
  controlPlaneName: string;
  /** Server host name, reachable from the cluster and from where `pulumi up` runs. */
  host: string;
  /** Server port. Default (in config): 5432. */
  port: number;
  /**
   * TLS mode for both Pulumi's connection and Argo's (lib/pq semantics in both). Default (in config): `verify-full`,
   * the only mode that checks the server is the one named; `require` encrypts but accepts any certificate.
   */
  sslMode: "require" | "verify-ca" | "verify-full";
  /** PEM of the server's CA; empty: the system's roots (enough for a public CA, not for RDS or a private CA). */
  caCertificate: string;
  /** An administrative role that may create roles and databases (it need not be a superuser). */
  adminUser: string;
  adminPassword: pulumi.Output<string>;
  /** Database to create for the archive; owned by `user`. */
  database: string;
  /** Login role to create for Argo. */
  user: string;
}

const TYPE = ARCHIVE_COMPONENT.types.external;

/**
 * Writes the CA where this `pulumi` process runs, for the PostgreSQL provider's `sslrootcert` (a path). Named by
 * its content, so the provider's inputs change only when the certificate does.
 */
function caFileForPulumi(pem: string): string {
  const digest = crypto.createHash("sha256").update(pem).digest("hex").slice(0, 16);
  const file = path.join(os.tmpdir(), `argo-platform-archive-ca-${digest}.pem`);
  if (!fs.existsSync(file)) fs.writeFileSync(file, pem, { mode: 0o644 });
  return file;
}

export class ExternalPostgres extends pulumi.ComponentResource {
  public readonly connection: ArchiveConnection;

  constructor(name: string, args: ExternalPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE, name, {}, opts);
    // Argo has no CA setting of its own: lib/pq reads PGSSLROOTCERT, which both Deployments point at this
    // ConfigMap's file. The PostgreSQL provider takes a file path, so the same PEM is written where `pulumi` runs.
    const ca = args.caCertificate
      ? new k8s.core.v1.ConfigMap(
          logicalName(args.controlPlaneName, NAMES.archiveCaConfigMap),
          {
            metadata: metadata(args.controlPlane, NAMES.archiveCaConfigMap, "archive-database"),
            data: { "ca.crt": args.caCertificate },
          },
          { parent: this },
        )
      : undefined;
    const provider = new postgresql.Provider(
      "archive-admin",
      {
        host: args.host,
        port: args.port,
        username: args.adminUser,
        password: args.adminPassword,
        sslmode: args.sslMode,
        ...(args.caCertificate ? { sslrootcert: caFileForPulumi(args.caCertificate) } : {}),
        database: "postgres",
        // Managed servers (RDS, Cloud SQL, Azure) give no superuser; this makes the provider not assume one.
        superuser: false,
      },
      { parent: this },
    );
    const password = archivePassword("archive-password", this);
    // retainOnDelete: dropping the role would fail anyway while it owns the database; keep both together.
    const role = new postgresql.Role(
      "archive-role",
      {
        name: args.user,
        login: true,
        password,
        inherit: true,
        createDatabase: false,
        createRole: false,
        superuser: false,
      },
      { parent: this, provider, retainOnDelete: true },
    );
    // The controller migrates its schema at start and must create tables: owning the database is the simplest
    // grant that works on PostgreSQL 15+, where `public` no longer lets everyone create.
    // protect: any diff that would delete or replace the database (a rename, a new owner that forces replacement,
    // `pulumi destroy`) fails until someone deliberately unprotects it. retainOnDelete: even then, Pulumi only
    // forgets it; the archive stays on the server.
    const database = new postgresql.Database(
      "archive-database",
      { name: args.database, owner: role.name, encoding: "UTF8", allowConnections: true },
      { parent: this, provider, protect: true, retainOnDelete: true },
    );
    const secret = credentialsSecret(
      this,
      TYPE,
      { input: args.controlPlane, name: args.controlPlaneName },
      role.name,
      password,
    );

    this.connection = {
      host: pulumi.output(args.host),
      port: args.port,
      database: args.database,
      ssl: true,
      sslMode: args.sslMode,
      ...(ca ? { caConfigMap: NAMES.archiveCaConfigMap } : {}),
      secretName: NAMES.archiveSecret,
      // The binaries open the database at start: it and its credentials must exist first.
      readyResources: [secret, database, ...(ca ? [ca] : [])],
    };
    this.registerOutputs({ connection: this.connection });
  }
}
