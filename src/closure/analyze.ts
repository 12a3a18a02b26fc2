/**
 * Static analysis of source text: a function's free variables and the equal-length rewrites
 * its source needs to be evaluated again on its own; a script's import/require bindings.
 * Rewrites never change the length of a line, so revived code keeps every line:column.
 */
import { parse } from "acorn";
import { analyze } from "eslint-scope";
import type * as ESTree from "estree";
import { TsparkError } from "../errors.js";
import type { FnForm } from "./format.js";

/** A loosely typed AST node: enough structure to walk any acorn output. */
interface AstNode {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

function isNode(x: unknown): x is AstNode {
  return typeof x === "object" && x !== null && typeof (x as { type?: unknown }).type === "string";
}

function child(n: AstNode, key: string): AstNode | undefined {
  const c = n[key];
  return isNode(c) ? c : undefined;
}

function children(n: AstNode): AstNode[] {
  const out: AstNode[] = [];
  for (const key in n) {
    if (key === "type" || key === "start" || key === "end" || key === "loc" || key === "range") continue;
    const v = n[key];
    if (Array.isArray(v)) {
      for (const e of v) if (isNode(e)) out.push(e);
    } else if (isNode(v)) out.push(v);
  }
  return out;
}

function walk(n: AstNode, visit: (n: AstNode, parent: AstNode | undefined) => boolean | void, parent?: AstNode): void {
  if (visit(n, parent) === false) return;
  for (const c of children(n)) walk(c, visit, n);
}

/** Names bound in revived code for rewritten syntax (each as long as what it replaces). */
export const IMPORT_META_NAME = "__tspark_im"; // replaces `import.meta` (11 characters)
export const DYNAMIC_IMPORT_NAME = "__tsi_"; //    replaces the `import` of `import(...)`

export interface FunctionAnalysis {
  form: FnForm;
  isClass: boolean;
  isArrow: boolean;
  /** Source with equal-length rewrites applied. */
  src: string;
  /** Free variables in order of first use (includes the rewrite names when used). */
  freeVars: string[];
  /** An arrow function that uses `this`, `super` or `new.target` of its enclosing scope. */
  usesThis: boolean;
  /** For a class with `extends`: the binding name that now stands for its superclass. */
  superName?: string;
  /** A class declaring instance private members (#x): its instances cannot be copied. */
  instancePrivate: boolean;
}

// eslint-scope reads `range` from nodes.
const PARSE_OPTS = { ecmaVersion: "latest", allowHashBang: true, ranges: true } as const;

function tryParse(text: string, sourceType: "module" | "script"): AstNode | undefined {
  try {
    return parse(text, { ...PARSE_OPTS, sourceType, allowAwaitOutsideFunction: sourceType === "script" }) as unknown as AstNode;
  } catch {
    return undefined;
  }
}

interface Parsed {
  program: AstNode;
  sourceType: "module" | "script";
  /** The function (or method property) node. */
  fn: AstNode;
  /** The function/class value node (for methods: the FunctionExpression of the property). */
  value: AstNode;
  form: FnForm;
  /** Offset of the source text inside the parsed text. */
  offset: number;
}

function parseFunctionSource(src: string): Parsed | undefined {
  for (const sourceType of ["module", "script"] as const) {
    const expr = tryParse(`(${src}\n)`, sourceType);
    const e = expr && exprOf(expr);
    if (expr && e && e.start === 1 && e.end === 1 + src.length && /^(ArrowFunctionExpression|FunctionExpression|ClassExpression)$/.test(e.type)) {
      return { program: expr, sourceType, fn: e, value: e, form: "expr", offset: 1 };
    }
    const obj = tryParse(`({${src}\n})`, sourceType);
    const o = obj && exprOf(obj);
    const props = o?.type === "ObjectExpression" ? (o.properties as unknown[]) : [];
    const p = props[0];
    if (obj && props.length === 1 && isNode(p) && p.type === "Property" && p.start === 2 && p.end === 2 + src.length) {
      const value = child(p, "value");
      if (value && value.type === "FunctionExpression") return { program: obj, sourceType, fn: p, value, form: "method", offset: 2 };
    }
  }
  return undefined;
}

function exprOf(program: AstNode): AstNode | undefined {
  const body = program.body as unknown[];
  const stmt = body.length === 1 ? body[0] : undefined;
  return isNode(stmt) && stmt.type === "ExpressionStatement" ? child(stmt, "expression") : undefined;
}

function identifierNames(root: AstNode): Set<string> {
  const names = new Set<string>();
  walk(root, (n) => {
    if ((n.type === "Identifier" || n.type === "PrivateIdentifier") && typeof n.name === "string") names.add(n.name);
  });
  return names;
}

/** Replaces text[start,end) by `by`, padded with spaces; newlines stay where they were. */
function spliceSameLength(text: string, start: number, end: number, by: string): string {
  const old = text.slice(start, end);
  if (by.length > old.replace(/\n/g, "").length) throw new Error("replacement longer than the text it replaces");
  let out = "";
  let i = 0;
  for (const ch of old) {
    if (ch === "\n" || ch === "\r") out += ch;
    else out += i < by.length ? by[i++] : " ";
  }
  return text.slice(0, start) + out + text.slice(end);
}

function pickName(taken: Set<string>, maxLength: number): string | undefined {
  const candidates = ["$super", "$S", "_S", "$", "_"];
  for (let c = 0; c < 26; c++) candidates.push(String.fromCharCode(65 + c), String.fromCharCode(97 + c));
  for (const c of candidates) if (c.length <= maxLength && !taken.has(c)) return c;
  return undefined;
}

const analysisCache = new Map<string, FunctionAnalysis>();

/**
 * Analyses the source text of a function as `Function.prototype.toString` returns it.
 * Throws when the text cannot be parsed as one of the supported forms.
 */
export function analyzeFunction(source: string): FunctionAnalysis {
  const hit = analysisCache.get(source);
  if (hit) return hit;
  let src = source;
  // `#m() {}` (a private method read as a value): give it a public name of equal length.
  src = src.replace(/^((?:static\s+)?(?:async\s+)?(?:get\s+|set\s+)?\*?\s*)#/, "$1_");
  let parsed = parseFunctionSource(src);
  if (!parsed) throw new TsparkError("CLOSURE_CAPTURE", `cannot parse the function's source: ${preview(source)}`);

  // Equal-length rewrites, collected as [start, end, replacement] in source coordinates.
  const edits: Array<[number, number, string]> = [];
  const { fn, value, offset } = parsed;
  let superName: string | undefined;
  const taken = identifierNames(parsed.program);
  if (value.type === "ClassExpression") {
    const sup = child(value, "superClass");
    if (sup && !(sup.type === "Literal" && sup.value === null)) {
      superName = pickName(taken, sup.end - sup.start);
      if (!superName) throw new TsparkError("CLOSURE_CAPTURE", `cannot rewrite the superclass of ${preview(source)}`);
      edits.push([sup.start - offset, sup.end - offset, superName]);
    }
  }
  if (parsed.form === "method" && fn.computed === true) {
    const key = child(fn, "key");
    // The key was evaluated where the method was defined; the revived one only needs a name.
    if (key) edits.push([key.start - offset, key.end - offset, "0"]);
  }
  walk(parsed.program, (n) => {
    if (n.type === "MetaProperty" && isNode(n.meta) && n.meta.name === "import") {
      edits.push([n.start - offset, n.end - offset, IMPORT_META_NAME]);
    } else if (n.type === "ImportExpression") {
      edits.push([n.start - offset, n.start - offset + 6, DYNAMIC_IMPORT_NAME]);
    }
  });
  if (edits.length > 0) {
    edits.sort((a, b) => b[0] - a[0]);
    for (const [s, e, by] of edits) src = spliceSameLength(src, s, e, by);
    parsed = parseFunctionSource(src);
    if (!parsed) throw new TsparkError("CLOSURE_CAPTURE", `cannot parse the rewritten source of ${preview(source)}`);
  }

  const scopes = analyze(parsed.program as unknown as ESTree.Program, { ecmaVersion: 2025, sourceType: parsed.sourceType });
  const freeVars: string[] = [];
  const seen = new Set<string>();
  for (const ref of scopes.globalScope?.through ?? []) {
    const name = ref.identifier.name;
    if (!seen.has(name)) {
      seen.add(name);
      freeVars.push(name);
    }
  }
  const isArrow = parsed.value.type === "ArrowFunctionExpression";
  const result: FunctionAnalysis = {
    form: parsed.form,
    isClass: parsed.value.type === "ClassExpression",
    isArrow,
    src,
    freeVars,
    usesThis: isArrow && usesLexicalThis(parsed.value),
    instancePrivate: parsed.value.type === "ClassExpression" && declaresInstancePrivate(parsed.value),
  };
  if (superName !== undefined) result.superName = superName;
  if (analysisCache.size > 5000) analysisCache.clear();
  analysisCache.set(source, result);
  return result;
}

function usesLexicalThis(arrow: AstNode): boolean {
  let found = false;
  walk(arrow, (n) => {
    if (found) return false;
    if (n !== arrow && (n.type === "FunctionExpression" || n.type === "FunctionDeclaration")) return false;
    if (n.type === "ClassBody") return false; // methods and fields have their own `this`
    if (n.type === "ThisExpression" || n.type === "Super") found = true;
    if (n.type === "MetaProperty" && isNode(n.meta) && n.meta.name === "new") found = true;
    return undefined;
  });
  return found;
}

function declaresInstancePrivate(cls: AstNode): boolean {
  const body = child(cls, "body");
  const elems = body ? (body.body as unknown[]) : [];
  return elems.some((e) => isNode(e) && e.static !== true && isNode(e.key) && e.key.type === "PrivateIdentifier");
}

function preview(src: string): string {
  const one = src.replace(/\s+/g, " ");
  return one.length > 80 ? `${one.slice(0, 77)}...` : one;
}

// ---- script-level bindings ------------------------------------------------------------

export interface ImportBinding {
  specifier: string;
  /** "default", "*" (namespace) or the imported name. */
  imported: string;
}

export interface RequireBinding {
  specifier: string;
  /** A property of the module's exports (from `const { x } = require(...)`). */
  name?: string;
  /** 1 or 2 when the value is esbuild's `__toESM(require(...))` (2: "node mode"). */
  interop: 0 | 1 | 2;
}

const importCache = new Map<string, Map<string, ImportBinding>>();
const requireCache = new Map<string, Map<string, RequireBinding>>();

/** The import declarations of an ES module: local name -> what it imports. */
export function esmImports(scriptKey: string, source: string): Map<string, ImportBinding> {
  let out = importCache.get(scriptKey);
  if (out) return out;
  out = new Map();
  const program = tryParse(source, "module");
  for (const stmt of program ? (program.body as unknown[]) : []) {
    if (!isNode(stmt) || stmt.type !== "ImportDeclaration") continue;
    const spec = child(stmt, "source");
    if (!spec || typeof spec.value !== "string") continue;
    for (const s of stmt.specifiers as unknown[]) {
      if (!isNode(s) || !isNode(s.local) || typeof s.local.name !== "string") continue;
      let imported = "default";
      if (s.type === "ImportNamespaceSpecifier") imported = "*";
      else if (s.type === "ImportSpecifier" && isNode(s.imported)) {
        imported = String(s.imported.type === "Identifier" ? s.imported.name : s.imported.value);
      }
      out.set(s.local.name, { specifier: spec.value, imported });
    }
  }
  importCache.set(scriptKey, out);
  return out;
}

function requireCallSpecifier(n: AstNode | undefined): string | undefined {
  if (!n || n.type !== "CallExpression") return undefined;
  const callee = child(n, "callee");
  const args = n.arguments as unknown[];
  const a0 = args[0];
  if (callee?.type === "Identifier" && callee.name === "require" && args.length === 1 && isNode(a0) && a0.type === "Literal" && typeof a0.value === "string") {
    return a0.value;
  }
  return undefined;
}

/**
 * `var x = require("m")`, `var x = __toESM(require("m"))` (what esbuild/tsx emit for imports
 * in CommonJS output) and `const { a } = require("m")`: local name -> binding.
 */
export function cjsRequires(scriptKey: string, source: string): Map<string, RequireBinding> {
  let out = requireCache.get(scriptKey);
  if (out) return out;
  out = new Map();
  const program = parseScriptLoosely(source);
  if (program) {
    const found = out;
    walk(program, (n) => {
      if (n.type !== "VariableDeclarator") return;
      const id = child(n, "id");
      let init = child(n, "init");
      if (!id || !init) return;
      let interop: 0 | 1 | 2 = 0;
      const callee = init.type === "CallExpression" ? child(init, "callee") : undefined;
      if (callee?.type === "Identifier" && typeof callee.name === "string" && /^__toESM\d*$/.test(callee.name)) {
        const args = init.arguments as unknown[];
        const a1 = args[1];
        interop = isNode(a1) && a1.type === "Literal" && a1.value ? 2 : 1;
        const a0 = args[0];
        init = isNode(a0) ? a0 : undefined;
      }
      const spec = requireCallSpecifier(init);
      if (spec === undefined) return;
      if (id.type === "Identifier" && typeof id.name === "string") {
        found.set(id.name, { specifier: spec, interop });
      } else if (id.type === "ObjectPattern" && interop === 0) {
        for (const p of id.properties as unknown[]) {
          if (!isNode(p) || p.type !== "Property" || p.computed) continue;
          const key = child(p, "key");
          const val = child(p, "value");
          if (key?.type === "Identifier" && val?.type === "Identifier" && typeof val.name === "string") {
            found.set(val.name, { specifier: spec, name: String(key.name), interop: 0 });
          }
        }
      }
    });
  }
  requireCache.set(scriptKey, out);
  return out;
}

function parseScriptLoosely(source: string): AstNode | undefined {
  try {
    return parse(source, { ecmaVersion: "latest", sourceType: "script", allowReturnOutsideFunction: true, allowHashBang: true, allowAwaitOutsideFunction: true }) as unknown as AstNode;
  } catch {
    return tryParse(source, "module");
  }
}

/** esbuild's keep-names wrapper `__name(fn, "name")` around a function value. */
function unwrapName(n: AstNode | undefined): AstNode | undefined {
  if (n?.type !== "CallExpression") return n;
  const callee = child(n, "callee");
  const a0 = (n.arguments as unknown[])[0];
  return callee?.type === "Identifier" && typeof callee.name === "string" && /^__name\d*$/.test(callee.name) && isNode(a0) ? a0 : n;
}

export interface ExportedDeclaration {
  /** The exported name. */
  name: string;
  /** Offset of the function/class the export declares (its source text's first character). */
  start: number;
}

const exportCache = new Map<string, ExportedDeclaration[]>();

/** Functions and classes an ES module exports, by the position of their source text. */
export function esmExportedFunctions(scriptKey: string, source: string): ExportedDeclaration[] {
  let out = exportCache.get(scriptKey);
  if (out) return out;
  out = [];
  const program = tryParse(source, "module");
  const decls = new Map<string, number>(); // local name -> start of its function/class
  const exported: Array<[string, string]> = []; // [local, exported]
  for (const stmt of program ? (program.body as unknown[]) : []) {
    if (!isNode(stmt)) continue;
    const inner = stmt.type === "ExportNamedDeclaration" || stmt.type === "ExportDefaultDeclaration" ? child(stmt, "declaration") : stmt;
    if (!inner) {
      if (stmt.type === "ExportNamedDeclaration" && !stmt.source) {
        for (const s of stmt.specifiers as unknown[]) {
          if (isNode(s) && isNode(s.local) && isNode(s.exported)) {
            exported.push([String(s.local.name), String(s.exported.type === "Identifier" ? s.exported.name : s.exported.value)]);
          }
        }
      }
      continue;
    }
    const record = (local: string, start: number) => {
      decls.set(local, start);
      if (stmt.type === "ExportNamedDeclaration") exported.push([local, local]);
      if (stmt.type === "ExportDefaultDeclaration") exported.push([local, "default"]);
    };
    if (stmt.type === "ExportDefaultDeclaration" && inner.type === "Identifier") {
      exported.push([String(inner.name), "default"]);
    } else if ((inner.type === "FunctionDeclaration" || inner.type === "ClassDeclaration") && isNode(inner.id)) {
      record(String(inner.id.name), inner.start);
    } else if (inner.type === "VariableDeclaration") {
      for (const d of inner.declarations as unknown[]) {
        if (!isNode(d) || !isNode(d.id) || d.id.type !== "Identifier") continue;
        const init = unwrapName(child(d, "init"));
        if (init && /^(ArrowFunctionExpression|FunctionExpression|ClassExpression)$/.test(init.type)) record(String(d.id.name), init.start);
      }
    } else if (stmt.type === "ExportDefaultDeclaration" && /^(FunctionDeclaration|ClassDeclaration|ArrowFunctionExpression|FunctionExpression|ClassExpression)$/.test(inner.type)) {
      out.push({ name: "default", start: inner.start });
    }
  }
  for (const [local, name] of exported) {
    const start = decls.get(local);
    if (start !== undefined) out.push({ name, start });
  }
  exportCache.set(scriptKey, out);
  return out;
}
