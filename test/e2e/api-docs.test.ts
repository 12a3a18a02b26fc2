/**
 * The API reference: TypeDoc converts the public API (typedoc.json, as `npm run docs` does,
 * without rendering HTML) with no warning; every public method, function, accessor and
 * constructor has a doc comment with an `@example`; and the examples run. Each example is
 * run against a shared `sc` (local[2]), and a line `expr; // → value` asserts that
 * `await expr` deep-equals `value`.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { Application, ReflectionKind, TSConfigReader, TypeDocReader, type DeclarationReflection, type ProjectReflection, type Comment } from "typedoc";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

async function convert(): Promise<{ project: ProjectReflection | undefined; messages: string[] }> {
  const messages: string[] = [];
  const app = await Application.bootstrapWithPlugins({ options: join(ROOT, "typedoc.json"), tsconfig: join(ROOT, "tsconfig.json"), entryPoints: [join(ROOT, "src/index.ts")] }, [new TypeDocReader(), new TSConfigReader()]);
  const log = app.logger.log.bind(app.logger);
  app.logger.log = (message, level) => {
    if (level >= 2) messages.push(String(message)); // warnings and errors
    log(message, level);
  };
  const project = await app.convert();
  if (project) app.validate(project);
  return { project, messages };
}

const converted = convert();

const KINDS = ReflectionKind.Method | ReflectionKind.Function | ReflectionKind.Accessor | ReflectionKind.Constructor;

interface Member {
  name: string;
  comment: Comment | undefined;
}

function members(project: ProjectReflection): Member[] {
  const out: Member[] = [];
  for (const r of project.getReflectionsByKind(KINDS) as DeclarationReflection[]) {
    // Members inherited from outside tspark (Error's) are documented there.
    if (r.inheritedFrom && !r.inheritedFrom.reflection) continue;
    if (r.flags.isExternal) continue;
    const sigs = [...(r.signatures ?? []), ...(r.getSignature ? [r.getSignature] : []), ...(r.setSignature ? [r.setSignature] : [])];
    // A class without a declared constructor: nothing to document.
    if (r.kind === ReflectionKind.Constructor && sigs.every((s) => !s.comment && (!s.sources?.length || s.sources[0]!.line === (r.parent as DeclarationReflection | undefined)?.sources?.[0]?.line))) continue;
    out.push({ name: r.getFriendlyFullName(), comment: r.comment ?? sigs.find((s) => s.comment)?.comment });
  }
  return out;
}

const exampleCode = (c: Comment): string[] =>
  c.blockTags
    .filter((t) => t.tag === "@example")
    .flatMap((t) => t.content.filter((p) => p.kind === "code").map((p) => p.text.replace(/^```\w*\n?/, "").replace(/\n?```$/, "")));

test("the API reference builds without warnings", async () => {
  const { project, messages } = await converted;
  assert.ok(project, "TypeDoc converted the project");
  assert.deepEqual(messages, []);
});

test("every public method, function, accessor and constructor has a doc comment with an @example; every property a doc comment", async () => {
  const { project } = await converted;
  const properties = (project!.getReflectionsByKind(ReflectionKind.Property) as DeclarationReflection[])
    .filter((r) => !(r.inheritedFrom && !r.inheritedFrom.reflection) && r.parent?.kind !== ReflectionKind.TypeLiteral);
  assert.deepEqual(properties.filter((r) => !r.comment).map((r) => r.getFriendlyFullName()), [], "properties without a doc comment");
  const all = members(project!);
  assert.ok(all.length > 150, `found ${all.length} members`);
  assert.deepEqual(all.filter((m) => !m.comment).map((m) => m.name), [], "without a doc comment");
  assert.deepEqual(all.filter((m) => m.comment && exampleCode(m.comment).length === 0).map((m) => m.name), [], "without an @example");
});

/** The names src/index.ts exports (values and types), as `import { ... } from "tspark"` lists them. */
function publicNames(): string[] {
  const index = readFileSync(join(ROOT, "src", "index.ts"), "utf8");
  return [...index.matchAll(/^export (type )?\{([^}]*)\}/gm)].flatMap(([, typeOnly, names]) =>
    names!.split(",").map((n) => n.trim()).filter((n) => n.length > 0).map((n) => (typeOnly && !n.startsWith("type ") ? `type ${n}` : n)),
  );
}

/**
 * An example's code, with `expr; // → value` statements (which may span lines) turned into
 * assertions.
 */
function checked(code: string, name: string): string {
  const out: string[] = [];
  let statement: string[] = [];
  let depth = 0;
  for (const line of code.split("\n")) {
    statement.push(line);
    const m = /^(.*?);\s*\/\/ → (.*)$/s.exec(statement.join("\n"));
    depth += (line.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|\/\/.*$/g, "").match(/[([{]/g) ?? []).length;
    depth -= (line.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|\/\/.*$/g, "").match(/[)\]}]/g) ?? []).length;
    if (depth > 0) continue;
    if (m && /\/\/ → /.test(line)) out.push(`assert.deepStrictEqual(await (${m[1]!.trim()}), ${m[2]}, ${JSON.stringify(`${name}: ${m[1]!.trim().split("\n").pop()}`)});`);
    else out.push(...statement);
    statement = [];
  }
  return [...out, ...statement].join("\n");
}

/** Moves the examples' imports to the top of one program, merged by module, with every public tspark name. */
function withImports(codes: string[]): { header: string; bodies: string[] } {
  const imports = new Map<string, Set<string>>([["tspark", new Set(publicNames())]]);
  const bodies = codes.map((code) =>
    code.replace(/^import \{ (.*) \} from "([^"]+)";$/gm, (_, names: string, from: string) => {
      const set = imports.get(from) ?? new Set<string>();
      for (const n of names.split(",")) if (![...set].some((m) => m.replace(/^type /, "") === n.trim())) set.add(n.trim());
      imports.set(from, set);
      return "";
    }),
  );
  return { header: [...imports].map(([from, names]) => `import { ${[...names].join(", ")} } from "${from}";`).join("\n"), bodies };
}

test("the examples run and give the results they show", async () => {
  const { project } = await converted;
  const examples = members(project!).flatMap((m) => (m.comment ? exampleCode(m.comment).map((code) => ({ name: m.name, code })) : []));
  const ownContext = (code: string) => /new SparkContext\(|sc\.stop\(\)/.test(code);
  // Most examples share one context, `sc`; those that make their own run as programs of their own.
  const shared = examples.filter((e) => !ownContext(e.code));
  const standalone = examples.filter((e) => ownContext(e.code));
  assert.ok(shared.length > 150 && standalone.length >= 3, `${shared.length} + ${standalone.length} examples`);

  const dir = join(ROOT, "test", "e2e", ".tmp");
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (/^doc-example.*\.ts$/.test(f)) rmSync(join(dir, f));
  const { header, bodies } = withImports(shared.map((e) => e.code));
  const programs: Array<{ file: string; text: string }> = [{
    file: join(dir, "doc-examples.ts"),
    text: [
      header,
      `import assert from "node:assert/strict";`,
      `const sc = new SparkContext({ master: "local[2]", appName: "doc-examples" });`,
      `const failures: string[] = [];`,
      ...shared.map((e, i) => `try {\n${checked(bodies[i]!, e.name)}\n} catch (err) {\n  failures.push(${JSON.stringify(e.name)} + ": " + (err as Error).message.split("\\n").slice(0, 6).join(" "));\n}`),
      `await sc.stop();`,
      `console.log(JSON.stringify(failures));`,
      `export {};`,
    ].join("\n"),
  }];
  standalone.forEach((e, i) => {
    const own = withImports([e.code]);
    programs.push({ file: join(dir, `doc-example-${i}.ts`), text: `${own.header}\n${own.bodies[0]}\nconsole.log("[]");\nexport {};\n` });
  });
  for (const p of programs) writeFileSync(p.file, p.text);

  // What users copy must compile: the examples and these, under plain `strict`.
  const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(ROOT, "tsconfig.examples.json")], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  assert.equal(tsc.status, 0, `type errors:\n${tsc.stdout}${tsc.stderr}`);

  // Examples read and write files by relative names: run them in a scratch directory.
  for (const p of programs) {
    const scratch = mkdtempSync(join(tmpdir(), "tspark-doc-examples-"));
    try {
      const r = spawnSync(process.execPath, [join(ROOT, "dist", "cli", "main.js"), "--master", "local[2]", p.file], { cwd: scratch, encoding: "utf8", timeout: 120_000 });
      assert.equal(r.status, 0, `${p.file}: ${r.stderr}`);
      assert.deepEqual(JSON.parse(r.stdout.trim().split("\n").pop()!), [], p.file);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
});
