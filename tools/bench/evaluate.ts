// Child process of tools/bench-startup.ts: loads a program under mocks and prints how long it took since the
// process started (module loading, transpiling, and evaluating the program), in milliseconds.
import { loadReviewConfig, runProgram } from "../offline.ts";

(async () => {
  const [program, stack] = process.argv.slice(2);
  await runProgram(loadReviewConfig(stack), { program });
  console.log(Math.round(performance.now()));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
