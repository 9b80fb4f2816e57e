// The platform: one component per concern, wired from a validated config and template set; returns the stack outputs.
import * as pulumi from "./components/shared/pulumi.ts";
import type { PlatformConfig } from "./config.ts";
import { parseArgoTTL } from "./config.ts";
import { ARCHIVE_COMPONENT } from "./components/archive/credentials.ts";
import { InClusterPostgres } from "./components/archive/in-cluster.ts";
import { ControllerConfig } from "./components/argo/controller-config.ts";
import { WorkflowController } from "./components/argo/controller.ts";
import { ArgoCrds } from "./components/argo/crds.ts";
import { ArgoServer, serverTlsSecretName } from "./components/argo/server.ts";
import { argoImages } from "./components/argo/version.ts";
import type { LoadedTemplate } from "./components/argo/workflow-templates.ts";
import { WorkflowTemplateLibrary } from "./components/argo/workflow-templates.ts";
import { ClusterBinding } from "./components/cluster.ts";
import { InClusterObjectStore } from "./components/artifacts/object-store.ts";
import { ArtifactRepository } from "./components/artifacts/repository.ts";
import { Identities } from "./components/identities.ts";
import { Namespaces } from "./components/namespaces.ts";
import { NetworkPolicies, PORTS } from "./components/network-policies.ts";
import { TemplatePolicy } from "./components/policy/admission.ts";
import { NAMES } from "./components/shared/kube.ts";

/** Lifetime of the login tokens the outputs suggest: one working day. */
const TOKEN_DURATION = "8h";

export async function buildPlatform(config: PlatformConfig, templates: LoadedTemplate[]) {
  const names = config.namespaces;
  const inClusterDatabase = config.archive.database.mode === "in-cluster";
  const artifacts = config.artifacts;
  const inClusterArtifactStore = artifacts.store === "in-cluster";

  // Every Kubernetes object goes through the stack's own provider, bound to its cluster by config; the stack files
  // disable the default provider, so an object that missed this would fail instead of using the current context.
  const cluster = new ClusterBinding("cluster", {
    context: config.cluster.context,
    clusterIdentifier: config.cluster.identifier,
    adoptRetainedObjects: config.cluster.adoptRetainedObjects,
  });
  const onCluster: pulumi.ComponentResourceOptions = { providers: [cluster.provider] };

  const namespaces = new Namespaces(
    "namespaces",
    {
      controlPlane: names.controlPlane,
      dataPlane: names.dataPlane,
      // Its claims hold the in-cluster archive and artifact store: a destroy must not delete them.
      retainControlPlane: inClusterDatabase || inClusterArtifactStore,
      retainedObjectsProvider: cluster.retainedObjectsProvider,
    },
    onCluster,
  );
  const identities = new Identities(
    "identities",
    {
      controlPlane: namespaces.controlPlane,
      dataPlane: namespaces.dataPlane,
      names,
      controllerTokenLogin: config.argo.controllerTokenLogin,
      serverTlsSecretName: serverTlsSecretName(config.argo.serverTls) ?? "",
      ...(artifacts.store === "s3" && artifacts.credentials.kind === "workload-identity"
        ? { artifactIdentityAnnotations: { ...artifacts.credentials.annotations } }
        : { artifactCredentialsSecret: NAMES.artifactSecret }),
    },
    onCluster,
  );
  new NetworkPolicies(
    "network-policies",
    {
      controlPlane: namespaces.controlPlane,
      dataPlane: namespaces.dataPlane,
      names,
      metricsNamespace: config.argo.metricsNamespace,
      serverClientNamespaces: config.argo.serverClientNamespaces,
      inClusterDatabase,
      inClusterArtifactStore,
    },
    onCluster,
  );

  const db = config.archive.database;
  const archive =
    db.mode === "in-cluster"
      ? new InClusterPostgres(
          ARCHIVE_COMPONENT.name,
          {
            controlPlane: namespaces.controlPlane,
            controlPlaneName: names.controlPlane,
            database: db.name,
            user: db.user,
            storageSize: db.storageSize,
            storageClass: db.storageClass,
          },
          onCluster,
        ).connection
      : // Only a stack with an external server loads the PostgreSQL provider's SDK: ~20 ms of every other preview.
        new (await import("./components/archive/external.ts")).ExternalPostgres(
          ARCHIVE_COMPONENT.name,
          {
            controlPlane: namespaces.controlPlane,
            controlPlaneName: names.controlPlane,
            host: db.host,
            port: db.port,
            sslMode: db.sslMode,
            caCertificate: db.caCertificate,
            adminUser: db.adminUser,
            adminPassword: db.adminPassword,
            database: db.name,
            user: db.user,
          },
          onCluster,
        ).connection;

  // Artifacts passed between steps, and every pod's logs (kept as artifacts for as long as the archive keeps runs).
  const store =
    artifacts.store === "in-cluster"
      ? new InClusterObjectStore(
          "artifact-store",
          {
            controlPlane: namespaces.controlPlane,
            controlPlaneName: names.controlPlane,
            storageSize: artifacts.storageSize,
            storageClass: artifacts.storageClass,
          },
          onCluster,
        )
      : undefined;
  const repository = new ArtifactRepository(
    "artifact-repository",
    {
      dataPlane: namespaces.dataPlane,
      dataPlaneName: names.dataPlane,
      bucket: artifacts.bucket,
      ...(artifacts.store === "s3"
        ? {
            endpoint: artifacts.endpoint,
            region: artifacts.region,
            credentials: artifacts.credentials.kind === "static" ? artifacts.credentials : undefined,
          }
        : {
            endpoint: store!.endpoint,
            // Plain HTTP to the in-cluster store: the traffic never leaves the cluster (and a NetworkPolicy admits
            // only workflow pods and argo-server).
            insecure: true,
            credentials: { accessKey: store!.accessKey, secretKey: store!.secretKey },
          }),
    },
    onCluster,
  );

  const images = argoImages(config.argo.version);
  const crds = new ArgoCrds("argo-crds", { providers: [cluster.retainedObjectsProvider] });
  const controllerConfig = new ControllerConfig(
    "controller-config",
    {
      controlPlane: namespaces.controlPlane,
      controlPlaneName: names.controlPlane,
      templateReferencing: config.argo.templateReferencing,
      executorImage: images.executor,
      archiveTTL: config.archive.ttl,
      archive,
    },
    onCluster,
  );
  // Both binaries die at start without their ConfigMap, the archive's credentials and database, or the CRDs they
  // watch; those are their only dependencies (RBAC that arrives a moment later is retried, not fatal).
  const startsAfter = [controllerConfig.configMap, ...archive.readyResources, ...Object.values(crds.byKind)];
  new WorkflowController(
    "workflow-controller",
    {
      controlPlane: namespaces.controlPlane,
      controlPlaneName: names.controlPlane,
      dataPlane: namespaces.dataPlane,
      image: images.controller,
      replicas: config.argo.controllerReplicas,
      serviceAccountName: identities.controllerServiceAccount,
      configChecksum: controllerConfig.checksum,
      databaseCaConfigMap: archive.caConfigMap,
      // Not the executor's token Secret: only workflow pods mount it, and the kubelet retries a missing mount.
      dependsOn: startsAfter,
    },
    onCluster,
  );
  new ArgoServer(
    "argo-server",
    {
      controlPlane: namespaces.controlPlane,
      controlPlaneName: names.controlPlane,
      dataPlane: namespaces.dataPlane,
      image: images.server,
      replicas: config.argo.serverReplicas,
      serviceAccountName: identities.serverServiceAccount,
      configChecksum: controllerConfig.checksum,
      databaseCaConfigMap: archive.caConfigMap,
      tls: config.argo.serverTls,
      dependsOn: startsAfter,
    },
    onCluster,
  );
  // The same template rules as the repository check, enforced by the API server on whatever reaches the data plane
  // (the UI, kubectl); cluster-scoped, so they need the namespace's name, not the namespace.
  const templatePolicy = new TemplatePolicy(
    "template-policy",
    {
      dataPlaneName: names.dataPlane,
      controlPlaneName: names.controlPlane,
      action: config.argo.templatePolicyAction,
    },
    onCluster,
  );
  const library = new WorkflowTemplateLibrary(
    "workflow-templates",
    {
      dataPlane: namespaces.dataPlane,
      dataPlaneName: names.dataPlane,
      templates,
      crd: crds.byKind.WorkflowTemplate,
    },
    onCluster,
  );

  const cp = names.controlPlane;
  const token = (account: string) => `kubectl -n ${cp} create token ${account} --duration=${TOKEN_DURATION}`;
  const uiUrl = `https://localhost:${PORTS.server}/workflows/${names.dataPlane}`;
  return {
    controlPlaneNamespace: namespaces.controlPlane,
    dataPlaneNamespace: namespaces.dataPlane,
    serviceAccounts: {
      controller: pulumi.interpolate`${cp}/${identities.controllerServiceAccount}`,
      server: pulumi.interpolate`${cp}/${identities.serverServiceAccount}`,
      executor: pulumi.interpolate`${names.dataPlane}/${identities.executorServiceAccount}`,
      uiViewer: pulumi.interpolate`${cp}/${identities.uiViewerServiceAccount}`,
      uiAuthor: pulumi.interpolate`${cp}/${identities.uiAuthorServiceAccount}`,
    },
    uiUrl,
    portForwardCommand: `kubectl -n ${cp} port-forward svc/${NAMES.serverService} ${PORTS.server}:${PORTS.server}`,
    loginTokenCommands: {
      viewer: token(NAMES.uiViewerServiceAccount),
      author: token(NAMES.uiAuthorServiceAccount),
      ...(config.argo.controllerTokenLogin ? { controller: token(NAMES.controllerServiceAccount) } : {}),
    },
    loginSteps: [
      `1. Run the port-forward command (Tilt does it for you locally).`,
      `2. Create a token: TOKEN=$(${token(NAMES.uiAuthorServiceAccount)})`,
      `3. Open ${uiUrl} (https; accept the self-signed certificate unless the stack names one).`,
      `4. Paste "Bearer $TOKEN" (the word Bearer, a space, then the token) into the client-authentication box.`,
      `5. Submit from the Workflow Templates tab; strict mode refuses workflows written in the Workflows tab.`,
    ],
    templateReferencing: config.argo.templateReferencing,
    templatePolicyActions: templatePolicy.validationActions,
    workflowTemplates: library.names,
    archive: {
      mode: db.mode,
      host: archive.host,
      database: archive.database,
      ttl: config.archive.ttl,
      credentialsSecret: `${cp}/${archive.secretName}`,
    },
    artifacts: {
      store: artifacts.store,
      bucket: artifacts.bucket,
      repository: repository.configMap,
      ...(repository.credentialsSecret ? { credentialsSecret: repository.credentialsSecret } : {}),
      // Logs are artifacts: keep objects at least as long as the archive keeps the runs that point at them.
      keepObjectsAtLeastDays: Math.ceil(parseArgoTTL(config.archive.ttl)! / 86_400_000) + 1,
    },
  };
}
