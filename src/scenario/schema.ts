// The scenario file format as a JSON Schema (draft-07), published as
// `fractaxis/scenario.schema.json`. The ranges of model parameters come from laws.ts RANGES, the
// table the constructors check against; semantic checks (powers of two, alpha vs gamma) are the
// constructors' own.

import { schemaOf } from '../laws.js';

const num = (description: string, extra: Record<string, unknown> = {}) => ({
  type: 'number',
  description,
  ...extra,
});
const pos = (description: string) => num(description, { exclusiveMinimum: 0 });

const grid = {
  type: 'object',
  description: 'periodic box',
  additionalProperties: false,
  required: ['n'],
  properties: {
    n: {
      type: 'array',
      minItems: 1,
      maxItems: 3,
      description: 'points per axis, x first',
      items: {
        type: 'integer',
        minimum: 1,
        maximum: 2 ** 22,
        description: 'an FFT size 2^a·3^b·5^c (x: even), e.g. 64, 96, 100, 384, 1000',
      },
    },
    L: {
      type: 'array',
      minItems: 1,
      maxItems: 3,
      description: 'box lengths per axis (default 2π)',
      items: pos('box length'),
    },
  },
};

const profile = {
  description: "a number, an array of grid values, or a profile {type: 'constant' | 'gaussian' | 'cosine'}",
  anyOf: [
    { type: 'number' },
    { type: 'array', items: { type: 'number' } },
    {
      type: 'object',
      required: ['type'],
      properties: {
        type: { enum: ['constant', 'gaussian', 'cosine'] },
        value: num('constant value'),
        noise: num('relative noise amplitude', { minimum: 0, maximum: 1 }),
        seed: { type: 'integer' },
        mass: num('mass of the bump', { minimum: 0 }),
        width: pos('standard deviation of the bump'),
        center: { type: 'array', items: { type: 'number' } },
        background: num('constant background', { minimum: 0 }),
        mean: num('mean value'),
        amplitude: num('amplitude'),
        mode: { type: 'array', items: { type: 'integer' } },
      },
      additionalProperties: false,
    },
  ],
};

const growth = {
  type: 'object',
  required: ['type'],
  additionalProperties: false,
  description: 'growth law Γ',
  properties: {
    type: { enum: ['none', 'logistic', 'nonlocal'] },
    r: schemaOf('growth.r'),
    a0: schemaOf('growth.a0'),
    a1: schemaOf('growth.a1'),
    a2: schemaOf('growth.a2'),
  },
};

const flux = {
  type: 'object',
  required: ['type'],
  additionalProperties: false,
  description: 'chemotactic flux Q',
  properties: {
    type: { enum: ['linear', 'limited'] },
    ystar: schemaOf('flux.ystar'),
  },
};

const kellerSegel = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'grid', 'chemical', 'chi', 'initial'],
  properties: {
    type: { const: 'keller-segel' },
    grid,
    alpha: schemaOf('alpha'),
    gamma: schemaOf('gamma'),
    diffusion: schemaOf('diffusion'),
    chemical: {
      type: 'object',
      required: ['type'],
      additionalProperties: false,
      properties: {
        type: { enum: ['parabolic', 'elliptic'] },
        D: schemaOf('chemical.D'),
        beta: schemaOf('chemical.beta'),
        mu: schemaOf('chemical.mu'),
      },
    },
    chi: {
      description: "a number, a dim×dim matrix, or {type: 'receptor', chi0, K}",
      anyOf: [
        { type: 'number' },
        { type: 'array', items: { type: 'array', items: { type: 'number' } } },
        {
          type: 'object',
          required: ['type', 'chi0', 'K'],
          additionalProperties: false,
          properties: { type: { const: 'receptor' }, chi0: schemaOf('chi.chi0'), K: schemaOf('chi.K') },
        },
      ],
    },
    growth,
    flux,
    initial: {
      type: 'object',
      required: ['rho'],
      additionalProperties: false,
      properties: { rho: profile, S: profile },
    },
    discretisation: {
      enum: ['finite-volume', 'spectral'],
      description:
        "'finite-volume' (default: positivity-preserving, for aggregation) or 'spectral' (for smooth solutions)",
    },
    cfl: schemaOf('cfl'),
  },
};

const kinetic = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'grid', 'gamma', 'eps', 'initial'],
  properties: {
    type: { const: 'kinetic' },
    grid,
    gamma: schemaOf('gamma'),
    eps: schemaOf('eps'),
    scheme: {
      enum: ['euler', 'bdf2'],
      description: 'time scheme: IMEX backward Euler (first order) or IMEX-BDF2 (second order)',
    },
    velocity: {
      type: 'object',
      additionalProperties: false,
      properties: {
        vmin: num('smallest speed, 0 < vmin ≤ 1', { exclusiveMinimum: 0, maximum: 1 }),
        vmax: num('largest speed, ≥ 10', { minimum: 10 }),
        perDecade: { type: 'integer', minimum: 2, maximum: 1000, description: 'speeds per decade' },
        directions: {
          type: 'integer',
          minimum: 4,
          maximum: 4096,
          multipleOf: 4,
          description: '2-D/3-D: directions per great circle on the fastest shells (chosen when omitted)',
        },
      },
    },
    tailTolerance: num('largest relative error of σ_ε(k) from the truncation at vmax (default 1e-6)', {
      exclusiveMinimum: 0,
      maximum: 1,
    }),
    directionTolerance: num(
      '2-D/3-D: largest relative error of σ_ε(k) from the direction sets (default 1e-3)',
      {
        minimum: 1e-12,
        maximum: 0.5,
      },
    ),
    collision: {
      type: 'object',
      required: ['type'],
      additionalProperties: false,
      properties: {
        type: { enum: ['relaxation', 'generalised'] },
        beta: num('ν ~ |v|^β, 0 ≤ beta < 1 − gamma', { minimum: 0, exclusiveMaximum: 1 }),
        nu0: schemaOf('collision.nu0'),
      },
    },
    chemical: {
      type: 'object',
      required: ['D'],
      additionalProperties: false,
      properties: {
        D: schemaOf('chemical.D'),
        beta: schemaOf('chemical.beta'),
        mu: schemaOf('chemical.mu'),
      },
    },
    turning: {
      type: 'object',
      required: ['chi'],
      additionalProperties: false,
      description: 'turning kernel a(v) = (2χ/π) v/(1+v²)², whose sensitivity is χ',
      properties: { chi: num('chemotactic sensitivity χ of the limit'), flux },
    },
    growth,
    initial: {
      type: 'object',
      required: ['rho'],
      additionalProperties: false,
      properties: { rho: profile, S: profile },
    },
    compare: {
      type: 'object',
      required: ['epsilons'],
      additionalProperties: false,
      description: 'ε → 0 comparison with the macroscopic limit',
      properties: {
        epsilons: {
          type: 'array',
          minItems: 1,
          maxItems: 8,
          items: schemaOf('eps'),
        },
      },
    },
  },
};

/** The JSON Schema of scenario files (also published as fractaxis/scenario.schema.json). */
export const scenarioSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://fractaxis.dev/scenario.schema.json',
  title: 'fractaxis scenario',
  type: 'object',
  additionalProperties: false,
  required: ['model', 'run'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    model: {
      type: 'object',
      required: ['type'],
      description: "the model: {type: 'keller-segel', …} or {type: 'kinetic', …}",
      properties: { type: { enum: ['keller-segel', 'kinetic'] } },
      allOf: [
        { if: { properties: { type: { const: 'keller-segel' } } }, then: kellerSegel },
        { if: { properties: { type: { const: 'kinetic' } } }, then: kinetic },
      ],
    },
    run: {
      type: 'object',
      required: ['tEnd', 'dt'],
      additionalProperties: false,
      properties: {
        tEnd: pos('final time > 0'),
        dt: pos('time step (initial step when adaptive) > 0'),
        scheme: {
          enum: ['strang', 'etdrk2', 'etdrk4'],
          description: "'strang' (finite volumes), 'etdrk4' or 'etdrk2' (spectral)",
        },
        adaptive: {
          description: 'true, false, or {rtol, atol, dtMin, dtMax}',
          anyOf: [
            { type: 'boolean' },
            {
              type: 'object',
              additionalProperties: false,
              properties: {
                rtol: num('relative tolerance in [0, 1]', { minimum: 0, maximum: 1 }),
                atol: num('absolute tolerance ≥ 0', { minimum: 0 }),
                dtMin: pos('smallest step'),
                dtMax: pos('largest step'),
              },
            },
          ],
        },
        maxDensity: pos('blow-up threshold on max ρ'),
        resolution: {
          type: 'object',
          additionalProperties: false,
          description: 'when a state counts as under-resolved (negative density) and what then',
          properties: {
            negativeTolerance: num('min ρ < −negativeTolerance · max ρ is under-resolved (default 1e-3)', {
              minimum: 0,
            }),
            action: { enum: ['stop', 'warn'], description: "'stop' (default) or 'warn'" },
          },
        },
        snapshots: {
          type: 'integer',
          minimum: 1,
          maximum: 10000,
          description: 'number of snapshots after t = 0 (evenly spaced)',
        },
      },
    },
  },
} as const;
