// Starts the Cloud Storage emulator of npm firebase-tools (its Node HTTP server only) on 127.0.0.1:PORT, in memory
// with blobs under $TMPDIR, for the GCS adapter's non-conditional tests. Started by scripts/test-env.d/40-gcs.sh.
//   node gcs-emulator.cjs FIREBASE_TOOLS_DIR PORT
// firebase-tools starts this server from its CLI after a Java-based rules runtime (Java 21 and a JAR it downloads on
// first start); the JSON API routes (apis/gcloud.js) serve every request as an admin and never consult the rules, so
// the server is started here without the rules runtime: nothing is downloaded and no Java is needed.
"use strict";
const path = require("path");
const [, , base, portText] = process.argv;
const port = Number(portText);
if (!base || !Number.isInteger(port)) {
  console.error("usage: node gcs-emulator.cjs FIREBASE_TOOLS_DIR PORT");
  process.exit(2);
}
const emulatorDir = path.join(path.resolve(base), "node_modules", "firebase-tools", "lib", "emulator", "storage");
const { StorageEmulator } = require(emulatorDir);
const { createApp } = require(path.join(emulatorDir, "server"));
const { EmulatorRegistry } = require(path.join(emulatorDir, "..", "registry"));

(async () => {
  const emulator = new StorageEmulator({ projectId: "slatedb-test", host: "127.0.0.1", port, auto_download: false });
  // Registered (without EmulatorRegistry.start, which would start the rules runtime) so that the server can tell
  // its own address in the URLs it hands out.
  EmulatorRegistry.set(emulator.getName(), emulator);
  const app = await createApp("slatedb-test", emulator);
  const server = app.listen(port, "127.0.0.1", () => console.log(`gcs emulator listening on 127.0.0.1:${port}`));
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
