// A sweep: a base scenario, axes that vary some of its fields (lists, linear or log ranges, seeds
// for ensembles), combined as a product or zipped, and the quantities to record per point. It is
// validated by its own JSON Schema, then expanded into points, each a complete scenario checked by
// validateScenario: every error, an axis naming a field the scenario lacks included, is reported
// before any run starts.
import Ajv from 'ajv';
import { ValidationError } from '../errors.js';
import { digest } from '../io/identity.js';
import { builtinScenarios } from '../scenario/builtin.js';
import { ScenarioError, validateScenario, type Issue, type Scenario } from '../scenario/validate.js';

/** The values of one axis: a list, a linear or logarithmic range, or ensemble seeds 1…count. */
export type SweepValues =
  | { values: (number | string | boolean)[] }
  | { from: number; to: number; count: number; scale?: 'linear' | 'log' }
  | { seeds: number };

/** One axis: the dotted path of a scenario field (e.g. "model.chi", "model.initial.rho.mass"). */
export type SweepAxis = { field: string } & SweepValues;

/** The quantities a sweep can record per point. */
export const QUANTITIES = {
  status: 'how the run ended (done, blow-up, under-resolved, …)',
  t: 'the time reached',
  steps: 'accepted steps',
  blowUpTime: 'the time max ρ passed maxDensity (blow-up only; else empty)',
  finalMaxRho: 'max ρ of the last state',
  peakMaxRho: 'the largest max ρ over the run',
  finalMinRho: 'min ρ of the last state',
  massDrift: '|mass − mass(0)| / mass(0) at the end',
  energy: 'the free energy of the last state, where the model defines one',
  limitRelL1:
    'kinetic points: ‖ρ_ε − ρ‖_L1 / ‖ρ‖_L1 at tEnd against the ε → 0 limit (a macroscopic run per point; not recorded by default)',
} as const;
/** The name of a recorded quantity (see QUANTITIES). */
export type Quantity = keyof typeof QUANTITIES;

/** What a sweep records when its file does not say: every quantity but the costly limit distance. */
export const DEFAULT_RECORD = (Object.keys(QUANTITIES) as Quantity[]).filter((q) => q !== 'limitRelL1');

/** A sweep file: the base scenario, the axes, how they combine, what to record. */
export interface SweepSpec {
  name?: string;
  /** A scenario, or the name of a built-in one. */
  base: Scenario | string;
  axes: SweepAxis[];
  /** 'product' (default): every combination; 'zip': the i-th value of every axis together. */
  combine?: 'product' | 'zip';
  /** Quantities per point (default: all). */
  record?: Quantity[];
}

/** One point of a sweep: its index, the values of the axes, its scenario and that scenario's digest. */
export interface SweepPoint {
  index: number;
  values: Record<string, number | string | boolean>;
  scenario: Scenario;
  digest: string;
}

/** The JSON Schema of sweep files. */
export const sweepSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'fractaxis sweep',
  type: 'object',
  additionalProperties: false,
  required: ['base', 'axes'],
  properties: {
    name: { type: 'string', description: 'the sweep’s name (files and figure titles)' },
    base: {
      anyOf: [{ type: 'string' }, { type: 'object' }],
      description: 'a scenario object, or the name of a built-in scenario',
    },
    axes: {
      type: 'array',
      minItems: 1,
      maxItems: 6,
      items: {
        type: 'object',
        required: ['field'],
        additionalProperties: false,
        properties: {
          field: {
            type: 'string',
            pattern: '^(model|run)(\\.[A-Za-z0-9_]+)+$',
            description: 'a dotted scenario field',
          },
          values: {
            type: 'array',
            minItems: 1,
            maxItems: 10000,
            items: { type: ['number', 'string', 'boolean'] },
          },
          from: { type: 'number' },
          to: { type: 'number' },
          count: { type: 'integer', minimum: 1, maximum: 10000 },
          scale: { enum: ['linear', 'log'] },
          seeds: { type: 'integer', minimum: 1, maximum: 100000 },
        },
        oneOf: [{ required: ['values'] }, { required: ['from', 'to', 'count'] }, { required: ['seeds'] }],
        description: 'an axis: {field, values} | {field, from, to, count, scale?} | {field, seeds}',
      },
    },
    combine: { enum: ['product', 'zip'] },
    record: { type: 'array', items: { enum: Object.keys(QUANTITIES) }, uniqueItems: true },
  },
} as const;

let validator: ReturnType<Ajv['compile']> | null = null;

/** The values an axis takes. */
export function axisValues(axis: SweepAxis): (number | string | boolean)[] {
  if ('values' in axis) return axis.values;
  if ('seeds' in axis) return Array.from({ length: axis.seeds }, (_, i) => i + 1);
  const { from, to, count, scale = 'linear' } = axis;
  if (count === 1) return [from];
  if (scale === 'log') {
    if (!(from > 0 && to > 0))
      throw new ValidationError(`axes[${axis.field}].from`, from, 'from > 0 and to > 0 on a log scale');
    return Array.from({ length: count }, (_, i) => from * Math.pow(to / from, i / (count - 1)));
  }
  return Array.from({ length: count }, (_, i) => from + ((to - from) * i) / (count - 1));
}

/** The base scenario of a sweep (a built-in by name). */
function baseOf(spec: SweepSpec): Scenario {
  if (typeof spec.base === 'string') {
    const s = builtinScenarios[spec.base];
    if (!s)
      throw new ScenarioError([
        {
          path: 'base',
          value: spec.base,
          expected: `a built-in scenario: ${Object.keys(builtinScenarios).join(', ')}`,
        },
      ]);
    return structuredClone(s);
  }
  return structuredClone(spec.base);
}

/** Whether `path` names a field the scenario has (the axis may only change an existing value). */
function has(obj: unknown, path: string[]): boolean {
  let o = obj;
  for (const k of path) {
    if (o === null || typeof o !== 'object' || !(k in (o as object))) return false;
    o = (o as Record<string, unknown>)[k];
  }
  return true;
}

function set(obj: unknown, path: string[], value: unknown): void {
  let o = obj as Record<string, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[path.at(-1)!] = value;
}

/**
 * Validates a sweep and expands it into its points, each scenario validated: throws a ScenarioError
 * listing every issue (the sweep's own fields, axes naming missing fields, invalid points) before
 * any run starts.
 */
export function expandSweep(input: unknown): { spec: SweepSpec; base: Scenario; points: SweepPoint[] } {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(sweepSchema);
  if (!validator(input))
    throw new ScenarioError(
      (validator.errors ?? [])
        .filter((e) => !['oneOf', 'if'].includes(e.keyword) || e.instancePath === '')
        .map((e) => ({
          path: `sweep${e.instancePath.replace(/\//g, '.')}`,
          value: e.instancePath === '' ? undefined : undefined,
          expected: e.message ?? 'a valid value',
        })),
    );
  const spec = input as SweepSpec;
  const base = baseOf(spec);
  const issues: Issue[] = [];
  const values = spec.axes.map((a, i) => {
    if (!has(base, a.field.split('.')))
      issues.push({
        path: `axes[${i}].field`,
        value: a.field,
        expected: 'a field the base scenario has (an axis changes a value; add the field to the base first)',
      });
    try {
      return axisValues(a);
    } catch (e) {
      if (e instanceof ValidationError)
        issues.push({ path: `axes[${i}]`, value: e.value, expected: e.accepted });
      return [];
    }
  });
  const combine = spec.combine ?? 'product';
  if (combine === 'zip' && new Set(values.map((v) => v.length)).size > 1)
    issues.push({
      path: 'combine',
      value: 'zip',
      expected: `axes of one length to zip (they have ${values.map((v) => v.length).join(', ')} values)`,
    });
  if (issues.length) throw new ScenarioError(issues);
  const combos: (number | string | boolean)[][] =
    combine === 'zip'
      ? values[0].map((_, i) => values.map((v) => v[i]))
      : values.reduce<(number | string | boolean)[][]>(
          (acc, v) => acc.flatMap((c) => v.map((x) => [...c, x])),
          [[]],
        );
  const points = combos.map((combo, index) => {
    const scenario = structuredClone(base);
    scenario.name = `${spec.name ?? base.name ?? 'sweep'}-${String(index).padStart(5, '0')}`;
    const vals: SweepPoint['values'] = {};
    spec.axes.forEach((a, i) => {
      set(scenario, a.field.split('.'), combo[i]);
      vals[a.field] = combo[i];
    });
    try {
      validateScenario(scenario);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      for (const is of e.issues)
        issues.push({ ...is, path: `point ${index} (${JSON.stringify(vals)}): ${is.path}` });
    }
    return { index, values: vals, scenario, digest: digest({ model: scenario.model, run: scenario.run }) };
  });
  if (issues.length) throw new ScenarioError(issues);
  return { spec, base, points };
}
