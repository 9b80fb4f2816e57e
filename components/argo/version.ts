// The images of one Argo Workflows release: controller, server (argocli) and executor always share one tag.

export interface ArgoImages {
  controller: string;
  server: string;
  executor: string;
}

export function argoImages(version: string): ArgoImages {
  return {
    controller: `quay.io/argoproj/workflow-controller:${version}`,
    server: `quay.io/argoproj/argocli:${version}`,
    executor: `quay.io/argoproj/argoexec:${version}`,
  };
}
