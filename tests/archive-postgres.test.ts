// The external-database design against a real PostgreSQL (started here, on loopback): a non-superuser admin creates
// the role and database the program declares, and Argo's role, logging in with a password of the generated kind,
// can create its tables (the controller migrates its schema at start), where a role that does not own it cannot.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { randomInt } from "node:crypto";
import { spawnSync } from "node:child_process";
import { resource, run } from "./support.ts";

/** A binary from PATH, the sbin directories (runuser) or Debian's versioned PostgreSQL directory. */
function binary(name: string): string {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/sbin", "/sbin"];
  const debian = "/usr/lib/postgresql";
  if (fs.existsSync(debian))
    for (const v of fs.readdirSync(debian).sort().reverse()) dirs.push(path.join(debian, v, "bin"));
  for (const d of dirs) if (fs.existsSync(path.join(d, name))) return path.join(d, name);
  throw new Error(`${name} not found (PostgreSQL server binaries: apt-get install postgresql)`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A password like RandomPassword makes with the program's options (letters and digits only). */
function generatedPassword(length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join("");
}

describe("external archive database on a real PostgreSQL", function () {
  this.timeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "argo-archive-pg-"));
  const data = path.join(dir, "data");
  let port = 0;
  // initdb refuses to run as root: run the server as an unprivileged account then.
  const account = spawnSync("id", ["-u", "postgres"]).status === 0 ? "postgres" : "nobody";
  const asServer = (cmd: string, args: string[]) =>
    process.getuid?.() === 0
      ? spawnSync(binary("runuser"), ["-u", account, "--", cmd, ...args], { encoding: "utf8" })
      : spawnSync(cmd, args, { encoding: "utf8" });
  const psql = (url: string, sql: string) =>
    spawnSync(binary("psql"), [url, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-c", sql], { encoding: "utf8" });
  const ok = (r: ReturnType<typeof spawnSync>) => assert.equal(r.status, 0, `${r.error ?? r.stderr}`);

  before(async () => {
    port = await freePort();
    if (process.getuid?.() === 0) spawnSync("chown", ["-R", account, dir]);
    ok(
      asServer(binary("initdb"), [
        "-D",
        data,
        "-U",
        "bootstrap",
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "-E",
        "UTF8",
      ]),
    );
    ok(
      asServer(binary("pg_ctl"), [
        "-D",
        data,
        "-w",
        "-l",
        path.join(dir, "log"),
        "-o",
        `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}`,
        "start",
      ]),
    );
    // Like a managed server: the admin may create roles and databases but is not a superuser.
    ok(
      psql(
        `postgresql:///postgres?host=${dir}&port=${port}&user=bootstrap`,
        "CREATE ROLE platform_admin LOGIN CREATEROLE CREATEDB PASSWORD 'admin-password'",
      ),
    );
  });

  after(() => {
    asServer(binary("pg_ctl"), ["-D", data, "-m", "immediate", "stop"]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("lets Argo's role, owner of its database, create its tables; a role that only may connect cannot", async () => {
    const r = await run("prod");
    const role = resource(r, "postgresql:index/role:Role", "archive-role").inputs;
    const database = resource(r, "postgresql:index/database:Database", "archive-database").inputs;
    const options = resource(r, "random:index/randomPassword:RandomPassword", "archive-password").inputs;
    assert.equal(database.owner, role.name);
    const password = generatedPassword(options.length);
    const admin = `postgresql://platform_admin:admin-password@127.0.0.1:${port}/postgres`;
    // What the provider runs for these inputs as a non-superuser (superuser: false): PostgreSQL 15 lets a role
    // create a database owned by another role only if it is a member of that role.
    ok(
      psql(
        admin,
        `CREATE ROLE ${role.name} LOGIN PASSWORD '${password}' ${role.superuser ? "SUPERUSER" : "NOSUPERUSER"} NOCREATEDB NOCREATEROLE`,
      ),
    );
    ok(psql(admin, `GRANT ${role.name} TO platform_admin`));
    ok(
      psql(
        admin,
        `CREATE DATABASE ${database.name} OWNER ${role.name} ENCODING '${database.encoding}' TEMPLATE template0`,
      ),
    );

    // Argo connects with a URL built from the Secret: the generated password needs no escaping.
    const argo = `postgresql://${role.name}:${password}@127.0.0.1:${port}/${database.name}`;
    ok(
      psql(
        argo,
        "CREATE TABLE argo_archived_workflows (uid text PRIMARY KEY, workflow jsonb); INSERT INTO argo_archived_workflows VALUES ('u1', '{}')",
      ),
    );

    ok(
      psql(
        admin,
        `CREATE ROLE bystander LOGIN PASSWORD 'bystander-password'; GRANT CONNECT ON DATABASE ${database.name} TO bystander`,
      ),
    );
    const denied = psql(
      `postgresql://bystander:bystander-password@127.0.0.1:${port}/${database.name}`,
      "CREATE TABLE t (x int)",
    );
    assert.notEqual(denied.status, 0, "on PostgreSQL 15+ `public` no longer lets every role create tables");
    assert.match(denied.stderr, /permission denied for schema public/);
  });

  it("dev: after a destroy and up (kept volume, new generated password), Argo's role logs in with the new one", async () => {
    // The in-cluster archive's role, as the postgres image creates it on an empty volume: a superuser whose
    // password is the one generated at that first `up`.
    const r = await run("dev");
    const sts = r.resources.find((x) => x.type === "kubernetes:apps/v1:StatefulSet")!.inputs;
    const container = sts.spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
    const bootstrap = `postgresql:///postgres?host=${dir}&port=${port}&user=bootstrap`;
    // Another name than the external test's role on this shared server; the hook takes it from POSTGRES_USER.
    assert.equal(env.POSTGRES_USER, "argo_workflows");
    const user = "argo_dev_archive";
    const first = generatedPassword(32);
    ok(psql(bootstrap, `CREATE ROLE ${user} LOGIN SUPERUSER PASSWORD '${first}'`));
    const login = (password: string) => psql(`postgresql://${user}:${password}@127.0.0.1:${port}/postgres`, "SELECT 1");
    ok(login(first));

    // The next `up` after a destroy writes a new password into the Secret; the container's postStart hook runs
    // (here against this server: its socket directory stands in for /var/run/postgresql).
    const second = generatedPassword(32);
    const secretFile = path.join(dir, "password");
    fs.writeFileSync(secretFile, second);
    const [shell, flag, script] = container.lifecycle.postStart.exec.command;
    const pgBin = path.dirname(binary("psql"));
    const hook = spawnSync(shell, [flag, script], {
      encoding: "utf8",
      env: {
        PATH: `${pgBin}${path.delimiter}${process.env.PATH}`,
        POSTGRES_USER: user,
        POSTGRES_PASSWORD_FILE: secretFile,
        PGHOST: dir,
        PGPORT: String(port),
      },
    });
    ok(hook);
    assert.equal(env.PGHOST, "/var/run/postgresql", "the hook uses the container's socket directory");
    ok(login(second));
    assert.notEqual(login(first).status, 0, "the old password no longer works");
  });
});
