// The baseline for tools/bench-startup.ts: a Pulumi program with a single Kubernetes object.
import * as k8s from "@pulumi/kubernetes";

export = async () => {
  new k8s.core.v1.Namespace("baseline", { metadata: { name: "baseline" } });
  return {};
};
