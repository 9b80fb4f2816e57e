// The floor for tools/bench-startup.ts: a precompiled (plain JavaScript) Pulumi program that creates one namespace.
import * as k8s from "@pulumi/kubernetes";

export default () => {
  new k8s.core.v1.Namespace("baseline", { metadata: { name: "baseline" } });
  return {};
};
