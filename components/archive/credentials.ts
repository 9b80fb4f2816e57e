// What the Argo components need to reach the archive database, and the Secret that carries its credentials.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { NAMES, logicalName, metadata } from "../shared/kube.ts";

/** Where the archive lives; becomes the `persistence.postgresql` block of the controller's ConfigMap. */
export interface ArchiveConnection {
  host: pulumi.Output<string>;
  port: number;
  database: string;
  /** TLS to the server; with it, Argo writes certificates under /home/argo/pgcerts (an emptyDir is mounted). */
  ssl: boolean;
  sslMode?: string;
  /** Secret in the control plane with keys `username` and `password`. */
  secretName: string;
  /** Resources that must exist before the controller and server start (they open the database at start). */
  readyResources: pulumi.Resource[];
}

export const SECRET_KEYS = { username: "username", password: "password" } as const;

/**
 * A generated password for Argo's role. Letters and digits only: special characters break connection strings, and
 * 32 of these still carry ~190 bits. Wrapped in pulumi.secret so it is secret even before the provider says so.
 */
export function archivePassword(name: string, parent: pulumi.Resource): pulumi.Output<string> {
  const password = new random.RandomPassword(name, { length: 32, special: false }, { parent });
  return pulumi.secret(password.result);
}

/** The credentials Secret that both Argo binaries read by name, from their own namespace. */
export function credentialsSecret(
  parent: pulumi.Resource,
  controlPlane: { input: pulumi.Input<string>; name: string },
  username: pulumi.Input<string>,
  password: pulumi.Output<string>,
  opts: pulumi.CustomResourceOptions = {},
): k8s.core.v1.Secret {
  return new k8s.core.v1.Secret(
    logicalName(controlPlane.name, NAMES.archiveSecret),
    {
      metadata: metadata(controlPlane.input, NAMES.archiveSecret, "archive-database"),
      type: "Opaque",
      stringData: pulumi.secret({ [SECRET_KEYS.username]: username, [SECRET_KEYS.password]: password }),
    },
    { parent, ...opts },
  );
}
