// Writes the GitHub test double's slice of GitHub's published OpenAPI description, and the
// response bodies GitHub really sent that the double answers with, from the npm packages
// installed under the folder given first. Run through scripts/github-openapi-extract.
//
// usage: node github-openapi-extract.mjs NODE_PREFIX OUT_DIR OPENAPI_VERSION FIXTURES_VERSION
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [prefix, outDir, openapiVersion, fixturesVersion] = process.argv.slice(2);
const modules = join(prefix, "node_modules", "@octokit");

// The operations the double serves; the extract holds these and what they reference, no more.
const operationIds = new Set([
  "repos/get",
  "git/get-ref",
  "git/create-ref",
  "git/update-ref",
  "git/get-commit",
  "repos/get-content",
  "repos/create-or-update-file-contents",
  "pulls/list",
  "pulls/create",
  "pulls/get",
  "pulls/update",
  "issues/add-labels",
  "issues/remove-label",
  "issues/list-events",
  "issues/list-comments",
  "issues/create-comment",
]);

// Recorded exchanges: scenario, the request to keep (method and path), and the file that gets
// its response body, named after the operation it answers.
const recordedBodies = [
  ["git-refs", "post", "/repos/octokit-fixture-org/git-refs/git/refs", "git-create-ref.json"],
  ["create-file", "put", "/repos/octokit-fixture-org/create-file/contents/test.txt", "repos-create-or-update-file-contents.json"],
  ["add-labels-to-issue", "post", "/repos/octokit-fixture-org/add-labels-to-issue/issues/1/labels", "issues-add-labels.json"],
];

function readInstalledVersion(name) {
  return JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8")).version;
}

for (const [name, wanted] of [["openapi", openapiVersion], ["fixtures", fixturesVersion]]) {
  const found = readInstalledVersion(name);
  if (found !== wanted) {
    throw new Error(`@octokit/${name} ${found} is installed under ${prefix}, the extract wants ${wanted}`);
  }
}

// Objects with their keys sorted at every depth, so the output does not depend on the order
// the description happens to list things in.
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    );
  }
  return value;
}

function writeJson(path, value) {
  writeFileSync(path, JSON.stringify(sortKeys(value), null, 2) + "\n");
}

const sourceFile = "generated/api.github.com.json";
const sourceBytes = readFileSync(join(modules, "openapi", sourceFile));
const description = JSON.parse(sourceBytes.toString("utf8"));

const paths = {};
for (const [path, item] of Object.entries(description.paths)) {
  for (const [method, operation] of Object.entries(item)) {
    if (operationIds.has(operation?.operationId)) {
      paths[path] ??= {};
      paths[path][method] = operation;
      operationIds.delete(operation.operationId);
    }
  }
  if (paths[path] && item.parameters) paths[path].parameters = item.parameters;
}
if (operationIds.size > 0) {
  throw new Error(`not in the description: ${[...operationIds].join(", ")}`);
}

// Every component reachable from the kept operations, following references transitively.
const components = {};
function collectReferences(value) {
  if (Array.isArray(value)) {
    value.forEach(collectReferences);
  } else if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (key === "$ref" && typeof inner === "string") {
        const [hash, section, kind, name, ...rest] = inner.split("/");
        if (hash !== "#" || section !== "components" || rest.length > 0) {
          throw new Error(`unexpected reference ${inner}`);
        }
        components[kind] ??= {};
        if (!(name in components[kind])) {
          components[kind][name] = description.components[kind][name];
          collectReferences(components[kind][name]);
        }
      } else {
        collectReferences(inner);
      }
    }
  }
}
collectReferences(paths);

mkdirSync(join(outDir, "openapi"), { recursive: true });
writeJson(join(outDir, "openapi", "api.github.com.extract.json"), {
  openapi: description.openapi,
  info: description.info,
  "x-planhost-source": {
    package: "@octokit/openapi",
    version: openapiVersion,
    file: sourceFile,
    sha256: createHash("sha256").update(sourceBytes).digest("hex"),
    recorded_bodies: {
      package: "@octokit/fixtures",
      version: fixturesVersion,
      scenarios: recordedBodies.map(([scenario, method, path, file]) => ({ scenario, method, path, file })),
    },
  },
  paths,
  components,
});

mkdirSync(join(outDir, "fixtures"), { recursive: true });
for (const [scenario, method, path, file] of recordedBodies) {
  const exchanges = JSON.parse(
    readFileSync(join(modules, "fixtures", "scenarios", "api.github.com", scenario, "normalized-fixture.json"), "utf8"),
  );
  const matching = exchanges.filter((exchange) => exchange.method === method && exchange.path === path);
  if (matching.length !== 1) {
    throw new Error(`${scenario}: ${matching.length} recorded ${method} ${path} requests, expected one`);
  }
  writeJson(join(outDir, "fixtures", file), matching[0].response);
}
