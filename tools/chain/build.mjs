// Compile Solidity sources with the pinned solc-js into a Foundry-style `out/` and a
// Hardhat-style `artifacts/` (+ `build-info/`), the two build layouts `provenant verify contract`
// reads. Used by the tests (into a temporary directory) and by the README's worked example.
//
//   node tools/chain/build.mjs SRC_DIR OUT_DIR
//
// writes OUT_DIR/foundry/out/<File>.sol/<Name>.json (+ out/build-info/<id>.json),
//        OUT_DIR/hardhat/artifacts/src/<File>.sol/<Name>.json (+ .dbg.json, artifacts/build-info/<id>.json)
//        OUT_DIR/standard-json.json (the solc standard-JSON output).
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const require = createRequire(import.meta.url);
const solc = require("solc");

const [srcDir, outDir] = process.argv.slice(2);
if (!srcDir || !outDir) {
  console.error("usage: node build.mjs SRC_DIR OUT_DIR");
  process.exit(2);
}
const sources = {};
for (const f of fs.readdirSync(srcDir).sort()) {
  if (f.endsWith(".sol")) {
    sources[`src/${f}`] = { content: fs.readFileSync(path.join(srcDir, f), "utf8") };
  }
}
const input = {
  language: "Solidity",
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    outputSelection: {
      "*": {
        "*": [
          "abi",
          "evm.bytecode.object",
          "evm.bytecode.linkReferences",
          "evm.deployedBytecode.object",
          "evm.deployedBytecode.linkReferences",
          "evm.deployedBytecode.immutableReferences",
          "evm.methodIdentifiers",
          "metadata",
        ],
      },
    },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === "error");
if (errors.length) {
  console.error(errors.map((e) => e.formattedMessage).join("\n"));
  process.exit(1);
}
const version = solc.version();
const shortVersion = version.split("+")[0];
const id = createHash("md5").update(JSON.stringify(input)).digest("hex");
const write = (p, v) => {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, JSON.stringify(v, null, 2));
};
const hex = (s) => `0x${s}`;

const buildInfo = {
  _format: "hh-sol-build-info-1",
  id,
  solcVersion: shortVersion,
  solcLongVersion: version,
  input,
  output,
};
write(path.join(outDir, "hardhat/artifacts/build-info", `${id}.json`), buildInfo);
write(path.join(outDir, "foundry/out/build-info", `${id}.json`), {
  id,
  source_id_to_path: {},
  language: "Solidity",
  solcVersion: shortVersion,
  solcLongVersion: version,
  input,
  output,
});
write(path.join(outDir, "standard-json.json"), output);

for (const [sourceName, contracts] of Object.entries(output.contracts)) {
  const file = path.basename(sourceName);
  for (const [name, c] of Object.entries(contracts)) {
    write(path.join(outDir, "foundry/out", file, `${name}.json`), {
      abi: c.abi,
      bytecode: { object: hex(c.evm.bytecode.object), linkReferences: c.evm.bytecode.linkReferences },
      deployedBytecode: {
        object: hex(c.evm.deployedBytecode.object),
        linkReferences: c.evm.deployedBytecode.linkReferences,
        immutableReferences: c.evm.deployedBytecode.immutableReferences,
      },
      methodIdentifiers: c.evm.methodIdentifiers,
      rawMetadata: c.metadata,
      metadata: JSON.parse(c.metadata),
      id: 0,
    });
    const hh = path.join(outDir, "hardhat/artifacts", sourceName);
    write(path.join(hh, `${name}.json`), {
      _format: "hh-sol-artifact-1",
      contractName: name,
      sourceName,
      abi: c.abi,
      bytecode: hex(c.evm.bytecode.object),
      deployedBytecode: hex(c.evm.deployedBytecode.object),
      linkReferences: c.evm.bytecode.linkReferences,
      deployedLinkReferences: c.evm.deployedBytecode.linkReferences,
    });
    write(path.join(hh, `${name}.dbg.json`), {
      _format: "hh-sol-dbg-1",
      buildInfo: path.relative(hh, path.join(outDir, "hardhat/artifacts/build-info", `${id}.json`)),
    });
  }
}
