// What the Argo components need to reach the archive database, and the Secret that carries its credentials.
import * as k8s from "../shared/k8s.ts";
import * as pulumi from "../shared/pulumi.ts";
import * as random from "../shared/random.ts";
import { NAMES, logicalName, metadata } from "../shared/kube.ts";
import type { Secret } from "@pulumi/kubernetes/core/v1/index.js";

/** Where the archive lives; becomes the `persistence.postgresql` block of the controller's ConfigMap. */
export interface ArchiveConnection {
  host: pulumi.Output<string>;
  port: number;
  database: string;
  /** TLS to the server (lib/pq: `sslmode` as given; only verify-ca and verify-full check the server). */
  ssl: boolean;
  sslMode?: string;
  /** ConfigMap in the control plane whose `ca.crt` verifies the server; both binaries point PGSSLROOTCERT at it. */
  caConfigMap?: string;
  /** Secret in the control plane with keys `username` and `password`. */
  secretName: string;
  /** Resources that must exist before the controller and server start (they open the database at start). */
  readyResources: pulumi.Resource[];
}

export const SECRET_KEYS = { username: "username", password: "password" } as const;

/**
 * The two archive components, both created under the name `archive`. Switching `databaseMode` moves the credentials
 * Secret from one to the other: its URN changes while the object stays the same, so each names the other as an alias
 * (without it, Pulumi would create the "new" Secret before deleting the "old" one: AlreadyExists).
 */
export const ARCHIVE_COMPONENT = {
  name: "archive",
  types: { inCluster: "argo-platform:archive:InClusterPostgres", external: "argo-platform:archive:ExternalPostgres" },
} as const;

/** A generated password for Argo's role (32 letters and digits). */
export function archivePassword(name: string, parent: pulumi.Resource): pulumi.Output<string> {
  return random.generatedCredential(name, 32, parent);
}

/** The credentials Secret that both Argo binaries read by name, from their own namespace. */
export function credentialsSecret(
  parent: pulumi.Resource,
  parentType: (typeof ARCHIVE_COMPONENT.types)[keyof typeof ARCHIVE_COMPONENT.types],
  controlPlane: { input: pulumi.Input<string>; name: string },
  username: pulumi.Input<string>,
  password: pulumi.Output<string>,
): Secret {
  const aliases = Object.values(ARCHIVE_COMPONENT.types)
    .filter((t) => t !== parentType)
    .map((t) => ({ parent: pulumi.createUrn(ARCHIVE_COMPONENT.name, t) }));
  return new k8s.core.v1.Secret(
    logicalName(controlPlane.name, NAMES.archiveSecret),
    {
      metadata: metadata(controlPlane.input, NAMES.archiveSecret, "archive-database"),
      type: "Opaque",
      stringData: pulumi.secret({ [SECRET_KEYS.username]: username, [SECRET_KEYS.password]: password }),
    },
    { parent, aliases },
  );
}
