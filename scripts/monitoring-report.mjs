// Runs every query of the Grafana dashboard through a Prometheus' HTTP API the way Grafana runs it, and prints a
// panel-by-panel report. Fails (exit 1) when any query returns no series with a value, naming its panel and query.
//
// usage: node scripts/monitoring-report.mjs <prometheus-url> <dashboard.json> <scrape-interval-seconds>
//
// The dashboard's variables are set as Grafana sets them: $job and $instance to "All" (their allValue), $window to its
// current value, and the built-ins from the dashboard's own time range (now-6h to now as shipped) and the data
// source's scrape interval: $__interval is the range over 1,000 points (a panel about 1,000 pixels wide) rounded as
// Grafana rounds it, at least the scrape interval; $__rate_interval is max($__interval + scrape interval,
// 4 × scrape interval). A panel target marked "instant" is an instant query at the range's end; any other is a range
// query with $__interval as its step, its start and end rounded down to multiples of the step as Grafana aligns them.
// Template variables' label_values(...) queries go to the label values endpoint, as Grafana's data source sends them.
import { readFileSync } from "node:fs";

const [prometheus, dashboardFile, scrapeText] = process.argv.slice(2);
if (!prometheus || !dashboardFile || !scrapeText) {
    console.error("usage: node scripts/monitoring-report.mjs <prometheus-url> <dashboard.json> <scrape-interval-seconds>");
    process.exit(2);
}
const dashboard = JSON.parse(readFileSync(dashboardFile, "utf8"));
const scrape = Number(scrapeText);

const end = Math.floor(Date.now() / 1000);
const start = end - relativeSeconds(dashboard.time?.from ?? "now-6h");
const range = end - start;
const interval = Math.max(scrape, roundInterval(range / 1000));
const rateInterval = Math.max(interval + scrape, 4 * scrape);
const variables = variableValues(dashboard.templating?.list ?? []);
const builtIns = { __rate_interval: `${rateInterval}s`, __interval: `${interval}s`, __range: `${range}s`, __range_s: `${range}` };

console.log(`monitoring: the dashboard over ${dashboard.time?.from ?? "now-6h"} to now (${range} s), step ${interval} s, ` +
    `$__rate_interval ${rateInterval} s; ` + Object.entries(variables).map(([name, value]) => `$${name} = ${value}`).join(", "));

const rows = [];
for (const variable of (dashboard.templating?.list ?? []).filter(v => v.type === "query")) {
    const text = variable.definition ?? variable.query?.query;
    const values = await labelValues(substitute(text));
    rows.push({ panel: `variable $${variable.name}`, query: text, series: values.length, detail: values.join(", ") });
}
for (const panel of panels(dashboard.panels ?? [])) {
    for (const target of panel.targets ?? []) {
        const query = substitute(target.expr);
        const series = target.instant ? await instant(query) : await rangeQuery(query);
        rows.push({ panel: panel.title, query: target.expr, series: series.length, detail: target.instant ? "instant" : "range" });
    }
}

const width = Math.max(...rows.map(r => r.panel.length));
console.log(`${"panel".padEnd(width)}  series  query`);
for (const row of rows) {
    console.log(`${row.panel.padEnd(width)}  ${String(row.series).padStart(6)}  ${row.query}${row.detail ? `   [${row.detail}]` : ""}`);
}
const empty = rows.filter(r => r.series === 0);
for (const row of empty) {
    console.error(`monitoring: panel '${row.panel}' has no data: ${row.query}`);
}
console.log(`monitoring: ${rows.length} queries, ${rows.length - empty.length} with data, ${empty.length} without`);
process.exit(empty.length === 0 ? 0 : 1);

function* panels(list) {
    for (const panel of list) {
        if (panel.type === "row") {
            yield* panels(panel.panels ?? []);
        } else {
            yield panel;
        }
    }
}

function relativeSeconds(from) {
    const match = /^now-(\d+)([smhd])$/.exec(from);
    if (!match) {
        throw new Error(`the dashboard's time range starts at '${from}', not now-<n><s|m|h|d>`);
    }
    return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2]];
}

// Grafana's rounding of an interval to a readable one (rangeutil's roundInterval), for the ranges of interest here.
function roundInterval(seconds) {
    const steps = [[1.5, 1], [3.5, 2], [7.5, 5], [12.5, 10], [17.5, 15], [25, 20], [45, 30], [90, 60], [210, 120], [450, 300],
        [750, 600], [1050, 900], [1500, 1200], [2700, 1800], [5400, 3600]];
    return (steps.find(([below]) => seconds < below) ?? [0, 7200])[1];
}

function variableValues(list) {
    const values = {};
    for (const variable of list) {
        if (variable.type === "query") {
            // "All" selected: Grafana puts the variable's allValue in the query.
            values[variable.name] = variable.includeAll ? variable.allValue ?? ".*" : variable.current?.value;
        } else if (variable.type === "custom" || variable.type === "interval") {
            values[variable.name] = variable.current?.value;
        }
    }
    return values;
}

function substitute(text) {
    return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced, bare) => {
        const name = braced ?? bare;
        const value = builtIns[name] ?? variables[name];
        if (value === undefined) {
            throw new Error(`the query uses $${name}, which neither Grafana nor the dashboard defines: ${text}`);
        }
        return value;
    });
}

async function api(path, parameters) {
    const url = new URL(path, prometheus);
    for (const [key, value] of Object.entries(parameters)) {
        url.searchParams.append(key, String(value));
    }
    const response = await fetch(url);
    const body = await response.json();
    if (body.status !== "success") {
        throw new Error(`${url}: ${body.errorType ?? response.status}: ${body.error ?? "no data"}`);
    }
    return body.data;
}

// Series that have a value Grafana can draw: NaN (a quantile of nothing, 0/0) counts as none.
function finite(value) {
    return Number.isFinite(Number(value));
}

async function instant(query) {
    const data = await api("/api/v1/query", { query, time: end });
    return data.resultType === "vector" ? data.result.filter(s => finite(s.value[1])) : [data.result].filter(v => finite(v[1]));
}

async function rangeQuery(query) {
    const aligned = time => Math.floor(time / interval) * interval;
    const data = await api("/api/v1/query_range", { query, start: aligned(start), end: aligned(end), step: interval });
    return data.result.filter(s => s.values.some(([, value]) => finite(value)));
}

async function labelValues(definition) {
    const match = /^label_values\((?:(.*),\s*)?(\w+)\)$/.exec(definition.trim());
    if (!match) {
        throw new Error(`a template variable's query is not label_values(...): ${definition}`);
    }
    const parameters = { start, end };
    if (match[1]) {
        parameters["match[]"] = match[1];
    }
    return api(`/api/v1/label/${match[2]}/values`, parameters);
}
