/**
 * The shell's TypeScript: each input is transpiled by esbuild (the transformer tsx is built
 * on) before node's REPL evaluates it, so types, interfaces, enums and `as` casts work while
 * node keeps doing what it does well (top-level await, multi-line input, completion).
 * Static imports become dynamic ones, which node's REPL accepts; top-level `const`, `let` and
 * `class` declarations become `var` ones, so that a name may be declared again at a later
 * prompt, as PySpark users redefine names all the time.
 */
import { transformSync, type Message } from "esbuild";
import { parse, type ImportDeclaration, type Program } from "acorn";

export type Transpiled =
  | { kind: "ok"; code: string }
  /** More lines may complete it (an open brace, a trailing operator): the REPL asks for them. */
  | { kind: "incomplete" }
  | { kind: "error"; message: string };

/** An open brace or bracket, a trailing operator, or an open template literal (odd backticks). */
function incomplete(code: string, errors: Message[]): boolean {
  return errors.some((e) => e.text === "Unexpected end of file" || (e.text.startsWith("Unterminated") && (code.split("`").length - 1) % 2 === 1));
}

/**
 * Synchronous, as node's own evaluation: lines typed or pasted while an input is transpiled
 * must not overtake it (~1-2 ms an input after a first ~200 ms that starts esbuild).
 */
export function transpileInput(code: string): Transpiled {
  const attempt = (source: string): Transpiled => {
    try {
      // verbatimModuleSyntax keeps an `import` line even when this input does not use what it
      // imports (node then explains how to import in a REPL), instead of dropping it silently.
      const out = transformSync(source, { loader: "ts", target: "node20", tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } } });
      return { kind: "ok", code: asReplCode(out.code) };
    } catch (err) {
      const errors = (err as { errors?: Message[] }).errors ?? [];
      if (incomplete(source, errors)) return { kind: "incomplete" };
      const first = errors[0];
      const where = first?.location ? ` (${first.location.line}:${first.location.column + 1})` : "";
      return { kind: "error", message: first ? `${first.text}${where}` : String(err) };
    }
  };
  // As node's REPL does: `{ a: 1 }` is an object literal, not a block with a label.
  if (/^\s*{/.test(code) && !/;\s*$/.test(code)) {
    const wrapped = attempt(`(${code.trim()})`);
    if (wrapped.kind === "ok") return wrapped;
  }
  return attempt(code);
}

/** An import line as a dynamic import: node's REPL has no static imports. */
function dynamicImport(decl: ImportDeclaration): string {
  const from = `await import(${JSON.stringify(decl.source.value)})`;
  const named: string[] = [];
  let namespace: string | undefined;
  for (const spec of decl.specifiers) {
    if (spec.type === "ImportNamespaceSpecifier") namespace = spec.local.name;
    else if (spec.type === "ImportDefaultSpecifier") named.push(`default: ${spec.local.name}`);
    else {
      const imported = spec.imported.type === "Identifier" ? spec.imported.name : JSON.stringify(spec.imported.value);
      named.push(imported === spec.local.name ? imported : `${imported}: ${spec.local.name}`);
    }
  }
  // `var`, so that running the same import line again is no redeclaration error.
  if (namespace !== undefined) return `var ${namespace} = ${from};${named.length ? ` var { ${named.join(", ")} } = ${namespace};` : ""}`;
  return named.length ? `var { ${named.join(", ")} } = ${from};` : `${from};`;
}

/**
 * The input's top level as node's REPL takes it, in one parse: static imports
 * (`import { x } from "m"`) become dynamic ones, which the REPL accepts; `const`/`let`
 * declarations become `var` ones and `class X {}` becomes `var X = class X {}`, since the REPL
 * refuses to declare a lexical name twice, across inputs too.
 */
export function asReplCode(code: string): string {
  if (!/\b(import|const|let|class)\b/.test(code)) return code;
  let ast: Program;
  try {
    ast = parse(code, { ecmaVersion: "latest", sourceType: "module", allowAwaitOutsideFunction: true });
  } catch {
    return code; // node reports it
  }
  let out = code;
  for (const node of [...ast.body].reverse()) {
    if (node.type === "ImportDeclaration") {
      out = out.slice(0, node.start) + dynamicImport(node) + out.slice(node.end);
    } else if (node.type === "VariableDeclaration" && (node.kind === "const" || node.kind === "let")) {
      out = out.slice(0, node.start) + "var" + out.slice(node.start + node.kind.length);
    } else if (node.type === "ClassDeclaration" && node.id) {
      out = `${out.slice(0, node.start)}var ${node.id.name} = ${out.slice(node.start, node.end)};${out.slice(node.end)}`;
    }
  }
  return out;
}
