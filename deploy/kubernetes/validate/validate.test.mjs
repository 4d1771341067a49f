// The validator catches what the Kubernetes API would reject, on broken copies of the rendered objects; and the CPU
// overlays differ from their GPU counterparts in the image and the GPU's fields only.
// MANIFESTS_RENDERED names the folder scripts/manifests-test.sh rendered the overlays into.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { objectsIn, problemsOf, nameOf } from "./validate.mjs";

const folder = process.env.MANIFESTS_RENDERED;
const overlay = name => objectsIn(readFileSync(join(folder, `${name}.yaml`), "utf8"), name);
const find = (objects, kind, name) => structuredClone(objects.find(o => o.kind === kind && o.metadata.name === name));
const gpu = overlay("default");
const silos = () => find(gpu, "Deployment", "unrolledgan-silo");
const container = deployment => deployment.spec.template.spec.containers.find(c => c.name === "silo");

// Each case breaks one field of a rendered object; the validator must name exactly that field.
const broken = [
    ["a misspelt top-level field", silos, o => { o.metdata = o.metadata; }, "metdata"],
    ["an unknown field in the spec", silos, o => { o.spec.replicaz = 4; }, "spec.replicaz"],
    ["a misspelt container security field", silos, o => { container(o).securityContext.readOnlyRootFS = true; },
        "spec.template.spec.containers[0].securityContext.readOnlyRootFS"],
    ["a container field put on the pod", silos, o => { o.spec.template.spec.ports = container(o).ports; }, "spec.template.spec.ports"],
    ["an unknown field in a Secret volume", silos, o => { o.spec.template.spec.volumes.find(v => v.secret).secret.defaultMod = 288; },
        `spec.template.spec.volumes[${silos().spec.template.spec.volumes.findIndex(v => v.secret)}].secret.defaultMod`],
    ["an unknown field in a NetworkPolicy rule", () => find(gpu, "NetworkPolicy", "unrolledgan-silo"),
        o => { o.spec.ingress[0].form = o.spec.ingress[0].from; }, "spec.ingress[0].form"],
    ["replicas as a string", silos, o => { o.spec.replicas = "4"; }, "spec.replicas"],
    ["a port number as a string", silos, o => { container(o).ports[0].containerPort = "11111"; },
        "spec.template.spec.containers[0].ports[0].containerPort"],
    ["a boolean as a string", silos, o => { container(o).securityContext.readOnlyRootFilesystem = "true"; },
        "spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem"],
    ["a label value as a number", silos, o => { o.spec.template.metadata.labels.generation = 2; },
        "spec.template.metadata.labels.generation"],
    ["a value outside the enum", silos, o => { container(o).imagePullPolicy = "Sometimes"; },
        "spec.template.spec.containers[0].imagePullPolicy"],
    ["a required field missing", silos, o => { delete container(o).name; }, "spec.template.spec.containers[0].name"],
    ["a list where an object belongs", () => find(gpu, "Service", "unrolledgan-gateway"), o => { o.spec.selector = ["silo"]; },
        "spec.selector"],
    ["an apiVersion the kind does not have", silos, o => { o.apiVersion = "apps/v2"; }, "apiVersion"],
];

for (const [what, original, breakIt, field] of broken) {
    test(`the validator rejects ${what}`, async () => {
        const object = original();
        assert.deepEqual(await problemsOf(object), [], `${nameOf(object)} as rendered`);
        breakIt(object);
        const problems = await problemsOf(object);
        assert.deepEqual(problems.map(p => p.field), [field], JSON.stringify(problems));
    });
}

test("the validator accepts free-form maps: labels, annotations, ConfigMap data, resource quantities", async () => {
    const object = silos();
    object.spec.template.metadata.labels["example.com/anything"] = "x";
    object.spec.template.metadata.annotations["example.com/note"] = "y";
    container(object).resources.limits["example.com/device"] = 1;
    const config = find(gpu, "ConfigMap", "unrolledgan-config");
    config.data.Anything__Else = "z";
    assert.deepEqual(await problemsOf(object), []);
    assert.deepEqual(await problemsOf(config), []);
});

// What a CPU overlay must change in its GPU counterpart's objects, and nothing else.
function asCpu(objects) {
    const copy = structuredClone(objects);
    for (const object of copy) {
        const pod = object.spec?.template?.spec;
        for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
            c.image = c.image.replace(/^unrolledgan:(.*)-cuda$/, "unrolledgan:$1-cpu");
            delete c.resources?.limits?.["nvidia.com/gpu"];
            delete c.resources?.requests?.["nvidia.com/gpu"];
        }
        if (pod?.tolerations) {
            pod.tolerations = pod.tolerations.filter(t => t.key !== "nvidia.com/gpu");
            if (pod.tolerations.length === 0) {
                delete pod.tolerations;
            }
        }
    }
    return copy;
}

for (const [cpu, counterpart] of [["cpu", "default"], ["external-database-cpu", "external-database"]]) {
    test(`${cpu} is ${counterpart} with the CPU image and no GPU`, () => {
        const gpuObjects = overlay(counterpart);
        const cpuObjects = overlay(cpu);
        const ours = objects => objects.flatMap(o => [...(o.spec?.template?.spec?.initContainers ?? []), ...(o.spec?.template?.spec?.containers ?? [])])
            .filter(c => c.image.startsWith("unrolledgan:"));

        assert.ok(ours(gpuObjects).length >= 4 && ours(gpuObjects).every(c => c.image === "unrolledgan:0.1.0-cuda"));
        assert.ok(ours(cpuObjects).every(c => c.image === "unrolledgan:0.1.0-cpu"));
        assert.equal(container(find(gpuObjects, "Deployment", "unrolledgan-silo")).resources.limits["nvidia.com/gpu"], 1);
        assert.doesNotMatch(JSON.stringify(cpuObjects), /nvidia/);
        assert.deepEqual(cpuObjects, asCpu(gpuObjects));
    });
}
