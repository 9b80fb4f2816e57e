// Child process of tools/bench-startup.ts: loads a program under mocks and prints how long it took since the
// process started (module loading, any compiling, and evaluating the program), in milliseconds.
// It loads only the runner (as the language host loads only its harness and the SDK): the stack's configuration
// comes as JSON from the parent, so nothing the program might use (yaml, config.ts) is loaded before it.
import { runProgram } from "../runner.ts";

const [program, configJson] = process.argv.slice(2);
await runProgram(JSON.parse(configJson), { program });
console.log(Math.round(performance.now()));
