// Checks rendered Kubernetes objects against the Kubernetes API's schema for their apiVersion and kind, as the npm
// package kubernetes-models ships it (generated from Kubernetes' OpenAPI document; 4.5.1 follows Kubernetes 1.33).
//
// usage: node validate.mjs <overlay>=<rendered.yaml> ...      (scripts/manifests-test.sh renders and calls it)
//
// Two kinds of problem, each reported with its overlay, object and field:
// - what the schema rejects: a wrong type, a value outside an enum, a missing required field, a bad format;
// - a field the schema does not define. The generated validators accept unknown fields (as the API server's default,
//   non-strict decoding does), while kubectl's client-side validation and server-side strict field validation reject
//   them. So each object is validated through a proxy that records which fields the validator reads: a validator
//   reads every field its schema defines, and the keys of every map it allows, so a field it never read is one the
//   schema does not know.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseAllDocuments } from "yaml";

/**
 * Kinds without a schema in kubernetes-models (custom resources), each with the reason it goes unvalidated. The
 * manifests have none today; a new one must be added here, or it fails the check.
 */
export const Unvalidated = new Map();

/** The model class kubernetes-models exports for an apiVersion and kind, or null when it has none. */
export async function modelOf(apiVersion, kind) {
    if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^([a-z0-9.-]+\/)?v\d+(alpha\d+|beta\d+)?$/.test(apiVersion)) {
        return null;
    }
    let module;
    try {
        module = await import(`kubernetes-models/${apiVersion}`);
    } catch {
        return null;
    }
    const model = module[kind];
    return model && model.apiVersion === apiVersion && model.kind === kind ? model : null;
}

/** Every problem of one object, as { field, message }; none when the schema accepts it whole. */
export async function problemsOf(object) {
    const model = await modelOf(object?.apiVersion, object?.kind);
    if (!model) {
        return Unvalidated.has(`${object?.apiVersion}/${object?.kind}`)
            ? []
            : [{ field: "apiVersion", message: `no schema for apiVersion ${object?.apiVersion} kind ${object?.kind}` }];
    }
    const reads = new Map();
    const problems = [];
    try {
        model.prototype.validate.call(watched(object, reads, new WeakMap()));
    } catch (error) {
        if (!Array.isArray(error.errors)) {
            throw error;
        }
        problems.push(...error.errors.map(e => ({ field: fieldOf(e.instancePath, e.params), message: messageOf(e) })));
    }
    for (const field of unknownFields(object, reads, "")) {
        // Under a field with the wrong type the validator reads nothing; that is one problem, not several.
        if (!problems.some(p => field.startsWith(`${p.field}.`) || field.startsWith(`${p.field}[`))) {
            problems.push({ field, message: "is not a field of this kind's schema" });
        }
    }
    return problems;
}

/** The objects of a YAML stream (kubectl kustomize's output), in order. */
export function objectsIn(text, source) {
    return parseAllDocuments(text)
        .map((document, i) => {
            if (document.errors.length > 0) {
                throw new Error(`${source}, document ${i + 1}: ${document.errors[0].message}`);
            }
            return document.toJS();
        })
        .filter(object => object !== null);
}

export function nameOf(object) {
    return `${object?.kind}/${object?.metadata?.name}`;
}

// The object as the validator sees it, recording for each object node the keys read from it.
function watched(value, reads, proxies) {
    if (value === null || typeof value !== "object") {
        return value;
    }
    if (!proxies.has(value)) {
        const keys = new Set();
        reads.set(value, keys);
        const record = key => typeof key === "string" && keys.add(key);
        proxies.set(value, new Proxy(value, {
            get(target, key) {
                record(key);
                return watched(Reflect.get(target, key), reads, proxies);
            },
            has(target, key) {
                record(key);
                return Reflect.has(target, key);
            },
        }));
    }
    return proxies.get(value);
}

function* unknownFields(value, reads, path) {
    if (Array.isArray(value)) {
        for (const [i, item] of value.entries()) {
            yield* unknownFields(item, reads, `${path}[${i}]`);
        }
    } else if (value !== null && typeof value === "object") {
        const read = reads.get(value) ?? new Set();
        for (const [key, child] of Object.entries(value)) {
            const field = path ? `${path}.${key}` : key;
            if (read.has(key)) {
                yield* unknownFields(child, reads, field);
            } else {
                yield field;
            }
        }
    }
}

// ajv's /spec/template/spec/containers/0/ports/0/containerPort as spec.template.spec.containers[0].ports[0].containerPort.
function fieldOf(instancePath, params) {
    const parts = instancePath.split("/").slice(1).map(p => p.replaceAll("~1", "/").replaceAll("~0", "~"));
    if (params?.missingProperty) {
        parts.push(params.missingProperty);
    }
    return parts.reduce((field, part) => /^\d+$/.test(part) ? `${field}[${part}]` : field ? `${field}.${part}` : part, "");
}

function messageOf(error) {
    switch (error.keyword) {
        case "enum":
            return `must be one of ${error.params.allowedValues.join(", ")}`;
        case "required":
            return "is required";
        default:
            return error.message;
    }
}

async function main(args) {
    if (args.length === 0 || args.some(a => !a.includes("="))) {
        console.error("usage: node validate.mjs <overlay>=<rendered.yaml> ...");
        return 2;
    }
    let failures = 0;
    for (const [overlay, file] of args.map(a => [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)])) {
        const objects = objectsIn(readFileSync(file, "utf8"), file);
        const kinds = new Map();
        for (const object of objects) {
            kinds.set(object.kind, (kinds.get(object.kind) ?? 0) + 1);
            for (const problem of await problemsOf(object)) {
                console.error(`manifests: ${overlay}: ${nameOf(object)}: ${problem.field}: ${problem.message}`);
                failures++;
            }
        }
        const unvalidated = objects.filter(o => Unvalidated.has(`${o.apiVersion}/${o.kind}`));
        const summary = [...kinds].map(([kind, count]) => `${count} ${kind}`).join(", ");
        console.log(`manifests: ${overlay}: ${objects.length - unvalidated.length} objects validated (${summary})` +
            unvalidated.map(o => `; ${nameOf(o)} unvalidated: ${Unvalidated.get(`${o.apiVersion}/${o.kind}`)}`).join(""));
    }
    return failures === 0 ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
    process.exitCode = await main(process.argv.slice(2));
}
