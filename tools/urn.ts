// URNs as the offline runner makes them, without loading the Pulumi SDK (the plan reads them too).

/**
 * A URN the way Pulumi's mock monitor makes them (`@pulumi/pulumi/runtime/mocks.js` newUrn): the parent's own type
 * (the last `$` segment of its URN's type) joined to the child's type. The engine keeps the whole chain and leaves the
 * root Stack out, so these URNs are not the deployed ones; every URN of a run is made this way, so they compare.
 */
export function mockUrn(
  stack: string,
  project: string,
  parent: string | undefined,
  type: string,
  name: string,
): string {
  const qualified = parent ? `${urnType(parent).split("$").pop()}$${type}` : type;
  return `urn:pulumi:${[stack, project, qualified, name].join("::")}`;
}

/** `urn:pulumi:<stack>::<project>::<qualified type>::<name>` → its parts. */
export function parseUrn(urn: string): { stack: string; project: string; qualifiedType: string; name: string } {
  const parts = urn.split("::");
  if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) throw new Error(`not a URN: ${urn}`);
  return {
    stack: parts[0].slice("urn:pulumi:".length),
    project: parts[1],
    qualifiedType: parts[2],
    name: parts.slice(3).join("::"),
  };
}

/** The qualified type of a URN (`parentType$type`). */
export const urnType = (urn: string) => parseUrn(urn).qualifiedType;
