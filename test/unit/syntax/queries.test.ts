import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { codeLanguages } from "../../../extension/src/core/config/codeLanguages";
import { importHeaderChars, importMatches } from "../../../extension/src/core/syntax/headerImports";
import { QueryStore } from "../../../extension/src/core/syntax/queries";
import { grammar, grammarDirectory, testRuntime } from "./testRuntime";

/** One small file per language, with one import and two definitions the queries must find. */
const samples: Record<string, { code: string; imports: string[]; definitions: string[] }> = {
  python: {
    code: "from .util import slugify as s\nimport os.path\n\ndef title(x):\n    return s(x)\n\nclass Page:\n    pass\n",
    imports: [".util", "os.path"],
    definitions: ["title", "Page"],
  },
  javascript: {
    code: 'import { total } from "./billing.js";\nconst fs = require("fs");\nexport function sum(a) { return total(a); }\nclass Cart {}\n',
    imports: ["./billing.js", "fs"],
    definitions: ["sum", "Cart"],
  },
  typescript: {
    code: 'import { total as t } from "./billing";\nexport interface Line { price: number }\nexport function sum(a: Line[]): number { return t(a); }\n',
    imports: ["./billing"],
    definitions: ["Line", "sum"],
  },
  typescriptreact: {
    code: 'import { Button } from "./button";\nexport function App(): JSX.Element { return <Button />; }\ntype Props = { a: string };\n',
    imports: ["./button"],
    definitions: ["App", "Props"],
  },
  javascriptreact: {
    code: 'import Button from "./button";\nexport function App() { return <Button />; }\nfunction helper() {}\n',
    imports: ["./button"],
    definitions: ["App", "helper"],
  },
  java: {
    code: "import java.util.List;\nclass Store { int size() { return 0; } }\n",
    imports: ["java.util.List"],
    definitions: ["Store", "size"],
  },
  c: {
    code: '#include "util.h"\nint twice(int x) { return 2 * x; }\nstruct point { int x; };\n',
    imports: ["util.h"],
    definitions: ["twice", "point"],
  },
  cpp: {
    code: '#include "util.hpp"\nclass Box { public: int area() { return 0; } };\nint twice(int x) { return 2 * x; }\n',
    imports: ["util.hpp"],
    definitions: ["Box", "area", "twice"],
  },
  csharp: {
    code: "using System.IO;\nclass Store { public int Size() { return 0; } }\n",
    imports: ["System.IO"],
    definitions: ["Store", "Size"],
  },
  go: {
    code: 'package main\n\nimport "os"\n\nimport (\n\t"fmt"\n\tstr "strings"\n)\n\nfunc Upper(s string) string { return str.ToUpper(s) }\n\ntype Point struct{ X int }\n',
    imports: ["os", "fmt", "strings"],
    definitions: ["Upper", "Point"],
  },
  rust: {
    code: "use crate::util::{slug, title as t};\nmod shapes;\nfn area(r: f64) -> f64 { r * r }\nstruct Circle { r: f64 }\n",
    imports: ["crate::util::{slug, title as t}", "shapes"],
    definitions: ["area", "Circle"],
  },
  php: {
    code: '<?php\nrequire_once "util.php";\nfunction slug($s) { return $s; }\nclass Page {}\n',
    imports: ["util.php"],
    definitions: ["slug", "Page"],
  },
  ruby: {
    code: 'require_relative "util"\ndef slug(s)\n  s\nend\nclass Page\nend\n',
    imports: ["util"],
    definitions: ["slug", "Page"],
  },
  shellscript: {
    code: 'source ./lib.sh\n. "./more.sh"\ngreet() { echo hi; }\nNAME=x\n',
    imports: ["./lib.sh", "./more.sh"],
    definitions: ["greet", "NAME"],
  },
};

describe("syntax queries", () => {
  let store: QueryStore;
  before(() => {
    store = new QueryStore({ load: (file) => readFile(path.join(grammarDirectory, file)) });
  });
  after(() => store.dispose());

  for (const languageId of codeLanguages) {
    it(`${languageId}: every query compiles and finds the imports and definitions`, async () => {
      const sample = samples[languageId];
      const language = await grammar(languageId);
      const queries = await store.queriesFor(languageId, language);
      assert.ok(queries);
      const tree = (await testRuntime()).parse(language, sample.code);
      try {
        // Through the function the completions use: a pattern without its @import statement would find nothing.
        const imports = importMatches(queries, tree, 0, importHeaderChars);
        assert.deepEqual([...new Set(imports.map((match) => match.source))], sample.imports);
        for (const match of imports)
          assert.ok(
            sample.code.slice(match.start, match.end).includes(match.source),
            `${match.source} in its statement`,
          );
        const names = queries.definitions
          .captures(tree.rootNode)
          .filter((c) => c.name === "name")
          .map((c) => c.node.text);
        for (const name of sample.definitions) assert.ok(names.includes(name), `${name} in ${JSON.stringify(names)}`);
        assert.ok(queries.identifiers.captures(tree.rootNode).length > 0);
        assert.ok(queries.scopes.captures(tree.rootNode).length > 0);
      } finally {
        tree.delete();
      }
    });
  }
});
