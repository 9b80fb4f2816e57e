// The data plane's default artifact repository: where steps pass artifacts and where every pod's logs are kept.
import * as k8s from "../shared/k8s.ts";
import * as pulumi from "../shared/pulumi.ts";
import { NAMES, logicalName, metadata } from "../shared/kube.ts";
import { CREDENTIAL_KEYS } from "./object-store.ts";
import { stringifyYaml } from "../shared/yaml.ts";

/**
 * Key of the default entry. Versioned, as Argo's quick-start recommends: a workflow records the key it used
 * (status.artifactRepositoryRef), so a move to another store adds `default-v2` and keeps old runs readable.
 */
export const DEFAULT_REPOSITORY_KEY = "default-v1";
/** The annotation that names the default entry (workflow/artifactrepositories/artifactrepositories.go). */
export const DEFAULT_REPOSITORY_ANNOTATION = "workflows.argoproj.io/default-artifact-repository";

export interface ArtifactRepositoryArgs {
  dataPlane: pulumi.Input<string>;
  dataPlaneName: string;
  bucket: string;
  /** host[:port] of the S3 API, without a scheme. */
  endpoint: string;
  /** Plain HTTP: only for the in-cluster store, whose traffic never leaves the cluster. Default false. */
  insecure?: boolean;
  /** S3 region; empty lets the client discover it. */
  region?: string;
  /**
   * An access key pair, copied into a Secret in the data plane for Argo. Absent: workload identity
   * (`useSDKCreds`), the cloud's credentials chain of the pod's account; no key exists anywhere.
   */
  credentials?: { accessKey: pulumi.Output<string>; secretKey: pulumi.Output<string> };
}

/**
 * The repository as Argo's `ArtifactRepository` type (pkg/apis/workflow/v1alpha1/artifact_repository_types.go);
 * tests check it against Argo's schema, including unknown keys (Argo's yaml.Unmarshal would drop them silently).
 */
export function repositorySettings(args: Omit<ArtifactRepositoryArgs, "dataPlane" | "dataPlaneName">) {
  return {
    // Every container's logs become an artifact of its step: the UI reads them from here once the pod is gone.
    archiveLogs: true,
    s3: {
      bucket: args.bucket,
      endpoint: args.endpoint,
      ...(args.insecure ? { insecure: true } : {}),
      ...(args.region ? { region: args.region } : {}),
      // The first step that saves an artifact creates a missing bucket (the in-cluster store starts empty).
      createBucketIfNotPresent: {},
      ...(args.credentials
        ? {
            accessKeySecret: { name: NAMES.artifactSecret, key: CREDENTIAL_KEYS.accessKey },
            secretKeySecret: { name: NAMES.artifactSecret, key: CREDENTIAL_KEYS.secretKey },
          }
        : { useSDKCreds: true }),
    },
  };
}

export class ArtifactRepository extends pulumi.ComponentResource {
  /** `<namespace>/<name>` of the ConfigMap, and the Secret it names (absent with workload identity). */
  public readonly configMap: string;
  public readonly credentialsSecret: string | undefined;

  constructor(name: string, args: ArtifactRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("argo-platform:artifacts:ArtifactRepository", name, {}, opts);
    const dp = args.dataPlaneName;
    const secrets: pulumi.Resource[] = [];
    if (args.credentials) {
      // The controller mounts it into each workflow pod's init and wait containers itself; the executor's account
      // cannot read it. argo-server reads it with the person's own token to serve artifacts and logs.
      secrets.push(
        new k8s.core.v1.Secret(
          logicalName(dp, NAMES.artifactSecret),
          {
            metadata: metadata(args.dataPlane, NAMES.artifactSecret, "artifact-store"),
            type: "Opaque",
            stringData: pulumi.secret({
              [CREDENTIAL_KEYS.accessKey]: args.credentials.accessKey,
              [CREDENTIAL_KEYS.secretKey]: args.credentials.secretKey,
            }),
          },
          { parent: this },
        ),
      );
    }
    new k8s.core.v1.ConfigMap(
      logicalName(dp, NAMES.artifactRepositories),
      {
        metadata: metadata(args.dataPlane, NAMES.artifactRepositories, "artifact-store", {
          annotations: { [DEFAULT_REPOSITORY_ANNOTATION]: DEFAULT_REPOSITORY_KEY },
        }),
        data: { [DEFAULT_REPOSITORY_KEY]: stringifyYaml(repositorySettings(args)) },
      },
      // A workflow that starts before the Secret exists would fail its first artifact upload.
      { parent: this, dependsOn: secrets },
    );
    this.configMap = `${dp}/${NAMES.artifactRepositories}`;
    this.credentialsSecret = args.credentials ? `${dp}/${NAMES.artifactSecret}` : undefined;
    this.registerOutputs({ configMap: this.configMap, credentialsSecret: this.credentialsSecret });
  }
}
