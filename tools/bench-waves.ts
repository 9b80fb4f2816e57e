// `npm run bench:waves`: how many sequential creation waves a stack takes, against the dependency lower bound.
import { measuredWaves } from "./waves.ts";
import { stackNames } from "./offline.ts";

(async () => {
  console.log(
    "stack      resources  waves (mock deploy, creates released in batches)  lower bound (longest dependency chain)",
  );
  for (const stack of stackNames()) {
    const { waves, lowerBound, resources } = await measuredWaves(stack);
    console.log(
      `${stack.padEnd(10)} ${String(resources).padStart(9)}  ${String(waves).padStart(5)}${" ".repeat(42)}${lowerBound}`,
    );
  }
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
