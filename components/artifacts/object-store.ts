// The dev stack's artifact store: a single S3-compatible server (MinIO) in the control plane, with a kept volume.
import * as k8s from "../shared/k8s.ts";
import * as pulumi from "../shared/pulumi.ts";
import * as random from "../shared/random.ts";
import { PORTS } from "../network-policies.ts";
import { keptServer } from "../shared/kept-server.ts";
import { NAMES, logicalName, metadata, resources } from "../shared/kube.ts";

/**
 * The release Argo's own quick-start pins at v4.1.2 (manifests/quick-start/base/minio/minio-deploy.yaml), by digest:
 * the S3 behaviour Argo's end-to-end tests run against.
 */
export const OBJECT_STORE_IMAGE =
  "quay.io/minio/minio:RELEASE.2022-11-17T23-20-09Z@sha256:b2a98df34c3e8d605a5e96f0bc1657dd440a5bd53d95465a7b342e736da9c6cf";
const OBJECT_STORE_UID = 1000;

/** Keys of the store's credentials, in both Secrets (the store's own and the data plane's copy for Argo). */
export const CREDENTIAL_KEYS = { accessKey: "accessKey", secretKey: "secretKey" } as const;

export interface InClusterObjectStoreArgs {
  controlPlane: pulumi.Input<string>;
  controlPlaneName: string;
  /** Size of the data volume, e.g. `8Gi`. */
  storageSize: string;
  /** StorageClass of the data volume; empty for the cluster's default. */
  storageClass: string;
}

export class InClusterObjectStore extends pulumi.ComponentResource {
  /** host:port of the S3 API, for the artifact repository (plain HTTP inside the cluster). */
  public readonly endpoint: string;
  /** Generated credentials; the artifact repository copies them into the data plane for Argo. */
  public readonly accessKey: pulumi.Output<string>;
  public readonly secretKey: pulumi.Output<string>;

  constructor(name: string, args: InClusterObjectStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("argo-platform:artifacts:InClusterObjectStore", name, {}, opts);
    const cp = args.controlPlaneName;
    this.accessKey = random.generatedCredential("artifact-store-access-key", 20, this);
    this.secretKey = random.generatedCredential("artifact-store-secret-key", 40, this);

    const secret = new k8s.core.v1.Secret(
      logicalName(cp, NAMES.objectStoreSecret),
      {
        metadata: metadata(args.controlPlane, NAMES.objectStoreSecret, "artifact-store"),
        type: "Opaque",
        stringData: pulumi.secret({
          [CREDENTIAL_KEYS.accessKey]: this.accessKey,
          [CREDENTIAL_KEYS.secretKey]: this.secretKey,
        }),
      },
      { parent: this },
    );

    const fromSecret = (key: string) => ({ secretKeyRef: { name: secret.metadata.name, key } });
    // Like the archive: the data is the claim, kept when the StatefulSet goes (retention policy) and, on dev, when
    // the stack is destroyed (the control-plane namespace is retained). MinIO takes its root credentials from the
    // environment at every start and does not encrypt the objects with them, so the new credentials of the next
    // `up` open the old data.
    keptServer(this, {
      controlPlane: args.controlPlane,
      controlPlaneName: cp,
      name: NAMES.objectStoreService,
      component: "artifact-store",
      port: { name: "s3", port: PORTS.objectStore },
      uid: OBJECT_STORE_UID,
      container: {
        name: "minio",
        image: OBJECT_STORE_IMAGE,
        // Flags before the data path: MinIO's command line stops reading flags at the first argument (Argo's
        // quick-start writes it the same way). --certs-dir: MinIO would create ~/.minio/certs, on a read-only root
        // filesystem.
        command: ["minio", "server", "--address", `:${PORTS.objectStore}`, "--certs-dir", "/tmp/certs", "/data"],
        env: [
          { name: "MINIO_ROOT_USER", valueFrom: fromSecret(CREDENTIAL_KEYS.accessKey) },
          { name: "MINIO_ROOT_PASSWORD", valueFrom: fromSecret(CREDENTIAL_KEYS.secretKey) },
          { name: "MINIO_BROWSER", value: "off" },
        ],
        resources: resources("50m", "128Mi", "1", "1Gi"),
        readinessProbe: { httpGet: { path: "/minio/health/ready", port: "s3" }, periodSeconds: 10 },
        livenessProbe: {
          httpGet: { path: "/minio/health/live", port: "s3" },
          initialDelaySeconds: 10,
          periodSeconds: 30,
        },
        volumeMounts: [
          { name: "data", mountPath: "/data" },
          { name: "tmp", mountPath: "/tmp" },
        ],
      },
      volumes: [{ name: "tmp", emptyDir: {} }],
      storageSize: args.storageSize,
      storageClass: args.storageClass,
    });

    this.endpoint = `${NAMES.objectStoreService}.${cp}.svc:${PORTS.objectStore}`;
    this.registerOutputs({ endpoint: this.endpoint, accessKey: this.accessKey, secretKey: this.secretKey });
  }
}
