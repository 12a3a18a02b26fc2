/**
 * How the closure layer names classes among record classes (serde/record-classes.ts), so
 * that the driver and every worker agree without talking: an imported class by its module
 * and export (`m:` ids, registered by whichever process loads the import), a class copied as
 * source by where it is defined (`c:` ids, given by the driver when it captures the class
 * and carried in the class's node, see format.ts FnNode.cls).
 */
import { createHash } from "node:crypto";
import { registerRecordClass } from "../serde/record-classes.js";

/** Whether `v` is a class (or an ES5 constructor with methods): something records are instances of. */
export function isClassLike(v: unknown): v is Function {
  if (typeof v !== "function") return false;
  const proto = (v as { prototype?: unknown }).prototype;
  if (typeof proto !== "object" || proto === null) return false;
  return Object.getOwnPropertyNames(proto).length > 1 || /^class\b/.test(Function.prototype.toString.call(v));
}

/** An import naming one class: what a process loads to have it. */
export interface ClassImport {
  system: "esm" | "cjs";
  url: string;
  name?: string;
  interop?: 0 | 1 | 2;
}

export function importedClassId(node: ClassImport): string {
  return `m:${node.system}|${node.url}|${node.name ?? ""}|${node.interop ?? 0}`;
}

/** The import of each imported class this process registered, by the class. */
const importOf = new WeakMap<Function, ClassImport>();

/** The import that gives `ctor`, when it was registered as an import's. */
export function classImport(ctor: Function): ClassImport | undefined {
  return importOf.get(ctor);
}

function registerImported(node: ClassImport, ctor: Function): void {
  registerRecordClass(importedClassId(node), ctor);
  if (!importOf.has(ctor)) importOf.set(ctor, node);
}

/** Module namespaces and export objects whose classes are registered already. */
const scanned = new WeakSet<object>();

/**
 * Registers what an import brings: the class it names, or every class exported by the
 * namespace (or CommonJS exports object) it names.
 */
export function registerImportedClasses(node: ClassImport, value: unknown): void {
  if (isClassLike(value)) {
    const { system, url, name, interop } = node;
    registerImported({ system, url, ...(name === undefined ? {} : { name }), ...(interop ? { interop } : {}) }, value);
    return;
  }
  const whole = node.name === undefined || node.name === "*";
  if (!whole || typeof value !== "object" || value === null || scanned.has(value)) return;
  scanned.add(value);
  for (const key of Object.keys(value)) {
    let exported: unknown;
    try {
      exported = (value as Record<string, unknown>)[key];
    } catch {
      continue; // an export still in its temporal dead zone
    }
    if (isClassLike(exported)) registerImported({ system: node.system, url: node.url, name: key }, exported);
  }
}

const sourceIds = new WeakMap<Function, string>();
const sameSource = new Map<string, number>();

/**
 * The id of a class captured as source: its place and text, plus an ordinal among classes
 * with the same (a class declared in a function that ran twice is two classes).
 */
export function sourceClassId(ctor: Function, url: string, line: number, col: number, src: string): string {
  let id = sourceIds.get(ctor);
  if (id === undefined) {
    const hash = createHash("sha1").update(`${url}\n${line}:${col}\n${src}`).digest("hex").slice(0, 24);
    const n = sameSource.get(hash) ?? 0;
    sameSource.set(hash, n + 1);
    // The name is for people reading an error about the id; the hash tells classes apart.
    id = `c:${ctor.name || "anonymous"}@${hash}${n > 0 ? `.${n}` : ""}`;
    sourceIds.set(ctor, id);
  }
  return id;
}
