/**
 * A live API server on the demo content, for the client's tests: a fresh SQLite database in a
 * temporary folder, migrated and filled by `load_demo`, served by `manage.py runserver` on a free
 * port of 127.0.0.1. `PYTHON` picks the interpreter (default: the repository's `.venv`).
 */

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "../../../..");
const python = process.env.PYTHON ?? path.join(repoRoot, ".venv", "bin", "python");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

export interface LiveServer {
  baseUrl: string;
  stop(): void;
}

export async function startServer(): Promise<LiveServer> {
  const folder = mkdtempSync(path.join(tmpdir(), "clearmind-client-"));
  const env = {
    ...process.env,
    DJANGO_SETTINGS_MODULE: "website.settings.dev",
    DATABASE_URL: `sqlite:///${path.join(folder, "db.sqlite3")}`,
    MEDIA_ROOT: path.join(folder, "media"),
  };
  for (const args of [["migrate", "--noinput"], ["load_demo"]]) {
    const run = spawnSync(python, ["manage.py", ...args], { cwd: repoRoot, env, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`manage.py ${args[0]} failed:\n${run.stdout}\n${run.stderr}`);
  }
  const port = await freePort();
  const server = spawn(python, ["manage.py", "runserver", `127.0.0.1:${port}`, "--noreload"], {
    cwd: repoRoot,
    env,
    stdio: "ignore",
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = () => {
    server.kill();
    rmSync(folder, { recursive: true, force: true });
  };
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${baseUrl}/api/v1/`)).ok) return { baseUrl, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  stop();
  throw new Error("the API server did not start");
}
