// The platform: one component per concern, wired from a validated config and template set; returns the stack outputs.
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./config.ts";
import { ExternalPostgres } from "./components/archive/external.ts";
import { InClusterPostgres } from "./components/archive/in-cluster.ts";
import { ControllerConfig } from "./components/argo/controller-config.ts";
import { WorkflowController } from "./components/argo/controller.ts";
import { ArgoCrds } from "./components/argo/crds.ts";
import { ArgoServer } from "./components/argo/server.ts";
import { argoImages } from "./components/argo/version.ts";
import type { LoadedTemplate } from "./components/argo/workflow-templates.ts";
import { WorkflowTemplateLibrary } from "./components/argo/workflow-templates.ts";
import { Identities } from "./components/identities.ts";
import { Namespaces } from "./components/namespaces.ts";
import { NetworkPolicies, PORTS } from "./components/network-policies.ts";
import { TemplatePolicy } from "./components/policy/admission.ts";
import { NAMES } from "./components/shared/kube.ts";

/** Lifetime of the login tokens the outputs suggest: one working day. */
const TOKEN_DURATION = "8h";

export function buildPlatform(config: PlatformConfig, templates: LoadedTemplate[]) {
  const names = config.namespaces;
  const inClusterDatabase = config.archive.database.mode === "in-cluster";

  const namespaces = new Namespaces("namespaces", {
    controlPlane: names.controlPlane,
    dataPlane: names.dataPlane,
    retainControlPlane: inClusterDatabase,
  });
  const identities = new Identities("identities", {
    controlPlane: namespaces.controlPlane,
    dataPlane: namespaces.dataPlane,
    names,
    controllerTokenLogin: config.argo.controllerTokenLogin,
    serverTlsSecretName: config.argo.serverTlsSecretName,
  });
  new NetworkPolicies("network-policies", {
    controlPlane: namespaces.controlPlane,
    dataPlane: namespaces.dataPlane,
    names,
    metricsNamespace: config.argo.metricsNamespace,
    inClusterDatabase,
  });

  const db = config.archive.database;
  const archive =
    db.mode === "in-cluster"
      ? new InClusterPostgres("archive", {
          controlPlane: namespaces.controlPlane,
          controlPlaneName: names.controlPlane,
          database: db.name,
          user: db.user,
          storageSize: db.storageSize,
          storageClass: db.storageClass,
        }).connection
      : new ExternalPostgres("archive", {
          controlPlane: namespaces.controlPlane,
          controlPlaneName: names.controlPlane,
          host: db.host,
          port: db.port,
          sslMode: db.sslMode,
          adminUser: db.adminUser,
          adminPassword: db.adminPassword,
          database: db.name,
          user: db.user,
        }).connection;

  const images = argoImages(config.argo.version);
  const crds = new ArgoCrds("argo-crds");
  const controllerConfig = new ControllerConfig("controller-config", {
    controlPlane: namespaces.controlPlane,
    controlPlaneName: names.controlPlane,
    templateReferencing: config.argo.templateReferencing,
    executorImage: images.executor,
    archiveTTL: config.archive.ttl,
    archive,
  });
  // Both binaries die at start without their ConfigMap, the archive's credentials and database, or the CRDs they
  // watch; those are their only dependencies (RBAC that arrives a moment later is retried, not fatal).
  const startsAfter = [controllerConfig.configMap, ...archive.readyResources, ...Object.values(crds.byKind)];
  new WorkflowController("workflow-controller", {
    controlPlane: namespaces.controlPlane,
    controlPlaneName: names.controlPlane,
    dataPlane: namespaces.dataPlane,
    image: images.controller,
    replicas: config.argo.controllerReplicas,
    serviceAccountName: identities.controllerServiceAccount,
    configChecksum: controllerConfig.checksum,
    databaseTls: archive.ssl,
    // Not the executor's token Secret: only workflow pods mount it, and the kubelet retries a missing mount.
    dependsOn: startsAfter,
  });
  new ArgoServer("argo-server", {
    controlPlane: namespaces.controlPlane,
    controlPlaneName: names.controlPlane,
    dataPlane: namespaces.dataPlane,
    image: images.server,
    replicas: config.argo.serverReplicas,
    serviceAccountName: identities.serverServiceAccount,
    configChecksum: controllerConfig.checksum,
    databaseTls: archive.ssl,
    tlsSecretName: config.argo.serverTlsSecretName,
    dependsOn: startsAfter,
  });
  // The same template rules as the repository check, enforced by the API server on whatever reaches the data plane
  // (the UI, kubectl); cluster-scoped, so they need the namespace's name, not the namespace.
  const templatePolicy = new TemplatePolicy("template-policy", {
    dataPlaneName: names.dataPlane,
    controlPlaneName: names.controlPlane,
    action: config.argo.templatePolicyAction,
  });
  const library = new WorkflowTemplateLibrary("workflow-templates", {
    dataPlane: namespaces.dataPlane,
    dataPlaneName: names.dataPlane,
    templates,
    crd: crds.byKind.WorkflowTemplate,
  });

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
  };
}
