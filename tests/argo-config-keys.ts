// The keys of Argo v4.1.2's controller configuration (json tags of config/config.go at tag v4.1.2): data for the
// test that proves the ConfigMap holds nothing Argo's strict parser would reject. Types Argo takes from its API
// (Workflow, Container) are checked against the JSON schema instead; they are named here by definition.

type KeyTree = { [key: string]: KeyTree | string | true };

/** `true`: a scalar or a type this test does not descend into; a string: a JSON-schema definition to walk. */
export const CONTROLLER_CONFIG_KEYS: KeyTree = {
  nodeEvents: true,
  workflowEvents: true,
  executor: "io.k8s.api.core.v1.Container",
  mainContainer: "io.k8s.api.core.v1.Container",
  kubeConfig: true,
  artifactRepository: true,
  namespace: true,
  instanceID: true,
  metricsConfig: true,
  telemetryConfig: true,
  parallelism: true,
  namespaceParallelism: true,
  resourceRateLimit: true,
  persistence: {
    // DBConfig, embedded
    postgresql: {
      host: true,
      port: true,
      database: true,
      tableName: true,
      userNameSecret: { name: true, key: true, optional: true },
      passwordSecret: { name: true, key: true, optional: true },
      ssl: true,
      sslMode: true,
      azureToken: true,
      awsRDSToken: true,
    },
    mysql: true,
    connectionPool: { maxIdleConns: true, maxOpenConns: true, connMaxLifetime: true },
    reconnectionConfig: true,
    connectionTimeoutSeconds: true,
    // PersistConfig's own
    nodeStatusOffLoad: true,
    archive: true,
    archiveLabelSelector: true,
    archiveTTL: true,
    clusterName: true,
    skipMigration: true,
  },
  links: true,
  columns: true,
  workflowDefaults: "io.argoproj.workflow.v1alpha1.Workflow",
  podSpecLogStrategy: true,
  podGCGracePeriodSeconds: true,
  podGCDeleteDelayDuration: true,
  workflowRestrictions: { templateReferencing: true },
  initialDelay: true,
  images: true,
  retentionPolicy: true,
  navColor: true,
  sso: true,
  synchronization: true,
  artifactDrivers: true,
  failedPodRestart: true,
  disableAgentPodCreation: true,
  initlessPod: true,
};

/** Paths of keys in `value` that `tree` does not declare; definitions are walked with `schemaWalk`. */
export function unknownConfigKeys(
  value: any,
  tree: KeyTree,
  schemaWalk: (v: unknown, def: string, at: string) => string[],
  at = "",
): string[] {
  const found: string[] = [];
  for (const [key, child] of Object.entries(value ?? {})) {
    const where = at ? `${at}.${key}` : key;
    const declared = tree[key];
    if (declared === undefined) found.push(where);
    else if (typeof declared === "string") found.push(...schemaWalk(child, declared, where));
    else if (typeof declared === "object") found.push(...unknownConfigKeys(child, declared, schemaWalk, where));
  }
  return found;
}
