// Scenario files: schema validation (ajv) with messages that name the field path, the value and
// the accepted range, then translation into model options.
import Ajv, { type ErrorObject } from 'ajv';
import type { Backend } from '../backend/index.js';
import { ValidationError, checkFftSize, closest, describe } from '../errors.js';
import {
  KellerSegel,
  resolveKellerSegel,
  type KellerSegelOptions,
  type SolveOptions,
} from '../models/keller-segel/model.js';
import { Kinetic, resolveKinetic, type KineticOptions } from '../models/kinetic/model.js';
import {
  checkFlux,
  checkGrowth,
  resolveChemical,
  resolveSensitivity,
  turningKernel,
  type Chemical,
  type Flux,
  type Growth,
} from '../laws.js';
import type { Profile } from '../models/initial.js';
import { scenarioSchema } from './schema.js';

type InitialJson = number | number[] | Profile;
/** A Keller–Segel model in a scenario file: the library options, with χ, the chemical and the initial data as JSON. */
export type KellerSegelSpec = Omit<KellerSegelOptions, 'chi' | 'initial' | 'chemical'> & {
  type: 'keller-segel';
  chemical: { type: 'parabolic' | 'elliptic'; D?: number; beta?: number; mu?: number };
  chi: number | number[][] | { type: 'receptor'; chi0: number; K: number };
  initial: { rho: InitialJson; S?: InitialJson };
};
/** A kinetic model in a scenario file: the library options, with the turning kernel and the initial data as JSON. */
export type KineticSpec = Omit<KineticOptions, 'turning' | 'initial'> & {
  type: 'kinetic';
  turning?: { chi: number; flux?: Flux };
  growth?: Growth;
  initial: { rho: InitialJson; S?: InitialJson };
  compare?: { epsilons: number[] };
};
/** How a scenario runs: final time, step, scheme, snapshots and thresholds. */
export interface RunSpec {
  tEnd: number;
  dt: number;
  scheme?: 'strang' | 'etdrk2' | 'etdrk4';
  resolution?: { negativeTolerance?: number; action?: 'stop' | 'warn' };
  adaptive?: boolean | { rtol?: number; atol?: number; dtMin?: number; dtMax?: number };
  maxDensity?: number;
  snapshots?: number;
}
/** A scenario file: the model and how to run it. */
export interface Scenario {
  $schema?: string;
  name?: string;
  description?: string;
  model: KellerSegelSpec | KineticSpec;
  run: RunSpec;
}

/** One validation error: the field, the value and what is accepted. */
export interface Issue {
  path: string;
  value: unknown;
  expected: string;
}

/** A scenario that failed validation; `issues` lists every problem found. */
export class ScenarioError extends ValidationError {
  constructor(readonly issues: Issue[]) {
    super(issues[0].path, issues[0].value, issues[0].expected);
    this.name = 'ScenarioError';
    this.message = issues
      .map((i) => `${i.path}: got ${describe(i.value)}; expected ${i.expected}`)
      .join('\n');
  }
}

let validator: ReturnType<Ajv['compile']> | null = null;

function valueAt(data: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>(
      (v, k) =>
        v && typeof v === 'object'
          ? (v as Record<string, unknown>)[k.replace(/~1/g, '/').replace(/~0/g, '~')]
          : undefined,
      data,
    );
}

function dotted(pointer: string): string {
  return (
    pointer
      .split('/')
      .slice(1)
      .reduce((s, k) => (/^\d+$/.test(k) ? `${s}[${k}]` : s ? `${s}.${k}` : k), '') || '(scenario)'
  );
}

/** The accepted range of a numeric schema, e.g. "a number in (0, 2]". */
function rangeOf(s: Record<string, unknown>): string {
  const lo = s.exclusiveMinimum ?? s.minimum,
    hi = s.exclusiveMaximum ?? s.maximum;
  const what = s.type === 'integer' ? 'an integer' : 'a number';
  if (lo === undefined && hi === undefined) return what;
  return `${what} in ${s.exclusiveMinimum !== undefined ? '(' : '['}${lo ?? '-Infinity'}, ${hi ?? 'Infinity'}${s.exclusiveMaximum !== undefined || hi === undefined ? ')' : ']'}`;
}

function issueOf(e: ErrorObject, data: unknown): Issue {
  const ps = (e.parentSchema ?? {}) as Record<string, unknown>;
  const desc = typeof ps.description === 'string' ? ` (${ps.description})` : '';
  const path = dotted(e.instancePath),
    value = valueAt(data, e.instancePath);
  switch (e.keyword) {
    case 'required': {
      const p = `${path === '(scenario)' ? '' : path + '.'}${(e.params as { missingProperty: string }).missingProperty}`;
      return { path: p, value: undefined, expected: 'a value (required field)' };
    }
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const keys = Object.keys((ps.properties ?? {}) as object),
        guess = closest(extra, keys);
      return {
        path: `${path === '(scenario)' ? '' : path + '.'}${extra}`,
        value: valueAt(data, `${e.instancePath}/${extra}`),
        expected: `no such field${guess ? ` (did you mean '${guess}'?)` : ''} (allowed: ${keys.join(', ')})`,
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, value, expected: rangeOf(ps) + desc };
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      return {
        path,
        value,
        expected:
          allowed.length > 8
            ? `a power of two between ${allowed[0]} and ${allowed.at(-1)}`
            : `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
      };
    }
    case 'const':
      return { path, value, expected: JSON.stringify((e.params as { allowedValue: unknown }).allowedValue) };
    case 'type':
      return {
        path,
        value,
        expected: `${(e.params as { type: string }).type === 'integer' ? 'an integer' : `a ${(e.params as { type: string }).type}`}${desc}`,
      };
    case 'anyOf':
    case 'oneOf':
      return {
        path,
        value,
        expected: typeof ps.description === 'string' ? ps.description : 'one of the documented forms',
      };
    case 'minItems':
    case 'maxItems':
      return { path, value, expected: `an array with ${e.message?.replace('must NOT have ', '')}${desc}` };
    default:
      return { path, value, expected: `${e.message ?? 'a valid value'}${desc}` };
  }
}

/**
 * The model-level checks a schema cannot state (a χ matrix of the grid's dimension, a chemical and
 * initial data that fit together, a scheme of the chosen discretisation, …), each law on its own so
 * that every issue is reported, not only the first. Allocation-free: nothing is built.
 */
function modelIssues(data: unknown): Issue[] {
  const issues: Issue[] = [];
  const s = data as Partial<Scenario> | null;
  const m = s?.model as (KellerSegelSpec | KineticSpec) | undefined;
  if (!m || typeof m !== 'object' || !m.grid || !Array.isArray(m.grid.n)) return issues;
  const dim = m.grid.n.length;
  const attempt = (prefix: string, check: () => unknown) => {
    try {
      check();
    } catch (e) {
      // A part the schema already refused may fail in other ways here: the schema's report covers it.
      if (!(e instanceof ValidationError) || e instanceof ScenarioError) return;
      const path = `${prefix}${e.field}`;
      if (!issues.some((i) => i.path === path)) issues.push({ path, value: e.value, expected: e.accepted });
    }
  };
  m.grid.n.forEach((v, i) =>
    attempt('model.', () => checkFftSize(`grid.n[${i}]`, v, i === 0 ? 2 : 1, 2 ** 22, i === 0)),
  );
  const run = s?.run as Partial<RunSpec> | undefined;
  if (m.type === 'keller-segel') {
    const { type: _t, ...opts } = m;
    attempt('model.', () => resolveSensitivity(m.chi, dim));
    attempt('model.', () => m.chemical && resolveChemical(m.chemical as Chemical));
    attempt('model.', () => checkGrowth(m.growth));
    attempt('model.', () => checkFlux(m.flux));
    attempt('model.', () => {
      if (m.chemical?.type === 'elliptic' && m.initial?.S !== undefined)
        throw new ValidationError(
          'initial.S',
          m.initial.S,
          'nothing: an elliptic chemical is determined by ρ',
        );
    });
    attempt('model.', () => resolveKellerSegel(opts as KellerSegelOptions, dim));
    const schemes =
      (m.discretisation ?? 'finite-volume') === 'finite-volume' ? ['strang'] : ['etdrk4', 'etdrk2'];
    attempt('', () => {
      if (run?.scheme !== undefined && !schemes.includes(run.scheme))
        throw new ValidationError(
          'run.scheme',
          run.scheme,
          `${schemes.map((x) => `'${x}'`).join(' or ')} for the ${m.discretisation ?? 'finite-volume'} discretisation`,
        );
    });
  } else if (m.type === 'kinetic') {
    attempt('model.', () => resolveKinetic(kineticOptions(m), dim));
    attempt('', () => {
      if (run?.scheme !== undefined)
        throw new ValidationError(
          'run.scheme',
          run.scheme,
          "nothing for a kinetic model (its scheme is model.scheme: 'euler' or 'bdf2')",
        );
    });
  }
  return issues;
}

/**
 * Validates a parsed scenario against the schema and the models' own rules; throws ScenarioError
 * listing every issue (schema and model-level ones in one report).
 */
export function validateScenario(data: unknown): Scenario {
  validator ??= new Ajv({ allErrors: true, verbose: true, strict: false }).compile(scenarioSchema);
  const valid = validator(data);
  const model = modelIssues(data);
  if (valid && model.length === 0) return data as Scenario;
  const errors = (validator.errors ?? []).filter((e) => e.keyword !== 'if');
  // Inside anyOf, report the anyOf itself once rather than each failed branch.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const kept = errors.filter(
    (e) =>
      e.keyword === 'anyOf' ||
      ![...anyOfPaths].some((p) => e.instancePath.startsWith(p) && e.schemaPath.includes('anyOf')),
  );
  const seen = new Set<string>();
  const issues = kept
    .map((e) => issueOf(e, data))
    .filter((i) => {
      const k = `${i.path}|${i.expected}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  // A model-level issue at a path the schema already reported adds nothing.
  for (const i of model) if (!issues.some((j) => j.path === i.path)) issues.push(i);
  throw new ScenarioError(issues);
}

/** Kinetic options of a scenario: `turning.chi` selects the kernel of laws.ts turningKernel (in the grid's dimension). */
export function kineticOptions(spec: KineticSpec, eps = spec.eps): KineticOptions {
  const { type: _t, compare: _c, turning, ...rest } = spec;
  const dim = Math.min(3, Math.max(1, spec.grid?.n?.length ?? 1)) as 1 | 2 | 3;
  return {
    ...rest,
    eps,
    turning: turning ? { kernel: turningKernel(turning.chi, dim), flux: turning.flux } : undefined,
  };
}

/** Builds the model a scenario describes; semantic errors are reported under `model.`. */
export function buildModel(backend: Backend, scenario: Scenario): KellerSegel | Kinetic {
  const m = scenario.model;
  try {
    if (m.type === 'keller-segel') {
      const { type: _t, ...opts } = m;
      return new KellerSegel(backend, opts as KellerSegelOptions);
    }
    return new Kinetic(backend, kineticOptions(m));
  } catch (e) {
    if (e instanceof ValidationError && !(e instanceof ScenarioError))
      throw new ScenarioError([{ path: `model.${e.field}`, value: e.value, expected: e.accepted }]);
    throw e;
  }
}

/** Solver options of a scenario's run section (the runner sets maxDensity, tEnd and the landing times). */
export function solveOptions(scenario: Scenario): Omit<SolveOptions, 'tEnd' | 'maxDensity'> {
  const run = scenario.run;
  if (scenario.model.type === 'kinetic') {
    // A kinetic run's scheme is its model's (the SBDF2 history is part of the state): run.scheme is refused, not ignored.
    if (run.scheme !== undefined)
      throw new ScenarioError([
        {
          path: 'run.scheme',
          value: run.scheme,
          expected: "nothing for a kinetic model (its scheme is model.scheme: 'euler' or 'bdf2')",
        },
      ]);
    return { dt: run.dt, adaptive: run.adaptive, resolution: run.resolution };
  }
  return { dt: run.dt, scheme: run.scheme, adaptive: run.adaptive, resolution: run.resolution };
}
