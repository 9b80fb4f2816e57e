// Turns on Node's on-disk compile cache before the SDK and the program load (Pulumi.yaml's `nodeargs` preloads this
// file), so a `pulumi preview` whose files did not change since the last run neither strips TypeScript nor compiles
// JavaScript again. Edit one file and only that file is stripped again: Node keys each entry by the file's path and
// content hash, and checks each entry's own checksum, so an edited file or a torn write is never run from the cache.
//
// Plain JavaScript on purpose: a TypeScript file here would set up Node's type stripper before the cache is on, and
// that set-up is much of what the cache saves. A preload, because by the time index.ts runs, Node has already
// loaded and stripped every module it imports.
//
// The cache lives in this project's node_modules/.cache, not in Node's default under os.tmpdir(): whoever can write
// there can already change the installed packages, while a shared temporary directory would let another local user
// plant code that a deployment holding cluster credentials then runs. `npm ci` empties it with the packages.
// NODE_COMPILE_CACHE=<dir> moves it (Node then turns it on before this file runs); NODE_DISABLE_COMPILE_CACHE=1 turns
// it off. When the directory cannot be written, Node leaves the cache off and the program runs exactly as without it.
import { enableCompileCache } from "node:module";
import { URL, fileURLToPath } from "node:url";

enableCompileCache(fileURLToPath(new URL("node_modules/.cache/argo-platform/compile-cache", import.meta.url)));
