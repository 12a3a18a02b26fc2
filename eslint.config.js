// ESLint flat config: run by `npm run lint` (and so by `npm test`).
// typescript-eslint's recommended set (syntactic, no type information: the whole lint stays fast)
// plus a few import rules that catch real mistakes. Rules that would need large rewrites are
// turned off below, each with the reason.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { importX, createNodeResolver } from "eslint-plugin-import-x";
import globals from "globals";

export default tseslint.config(
  {
    // Build output, generated docs, the docs test's scratch files, dependencies.
    ignores: ["dist/**", "docs/api/**", "node_modules/**", "**/.tmp/**", "test/fixtures/**/node_modules/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.js", "**/*.mjs", "**/*.cjs"],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: { ...globals.node },
    },
    plugins: { "import-x": importX },
    settings: {
      // Sources import each other as `./x.js` (NodeNext); the file on disk is `./x.ts`.
      "import-x/resolver-next": [createNodeResolver({ extensionAlias: { ".js": [".ts", ".js"] } })],
    },
    rules: {
      "import-x/no-duplicates": "error",
      "import-x/no-self-import": "error",
      "import-x/no-useless-path-segments": "error",
      // Unused variables and imports; a leading underscore marks one kept on purpose.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
      // Off: closure capture, revival and the step registry handle arbitrary user functions; `Function` is meant (56 uses).
      "@typescript-eslint/no-unsafe-function-type": "off",
      // Off: action steps return generators that do their work when drained and yield nothing, by design.
      "require-yield": "off",
      // Off: a style rule; tests match column-aligned output with literal runs of spaces.
      "no-regex-spaces": "off",
    },
  },
  // Layer boundaries (ARCHITECTURE.md). Tests may reach across them to build what they check.
  {
    files: ["src/scheduler/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ group: ["**/api/*"], message: "the scheduler sees RDDs only through scheduler/lineage.ts" }] }] },
  },
  {
    files: ["src/shuffle/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ group: ["**/worker/*", "**/api/*", "**/driver/*"], message: "the shuffle gets a task's resources as TaskResources (shuffle/task-resources.ts)" }] }] },
  },
  {
    files: ["src/worker/**/*.ts"],
    ignores: ["**/*.test.ts", "src/worker/transport/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ group: ["**/transport/*", "**/backend/*", "**/driver/*"], message: "the worker runtime knows no transport and nothing of the driver" }] }] },
  },
  {
    // The closure fixtures are odd code on purpose (their exact text and lines are what the tests capture).
    files: ["test/fixtures/**"],
    linterOptions: { reportUnusedDisableDirectives: "off" },
    rules: {
      "no-sparse-arrays": "off", // a sparse array is one of the captured values
      "@typescript-eslint/no-require-imports": "off", // the CommonJS cases call require()
    },
  },
);
