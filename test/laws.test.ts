// The numeric ranges are stated once (laws.ts RANGES): the scenario schema and the constructors
// must agree at every boundary, so a scenario that validates is one the models accept.
import { describe, expect, it } from 'vitest';
import Ajv from 'ajv';
import { RANGES, inRange, schemaOf, type RangeName } from '../src/laws.js';
import { buildModel, validateScenario, type Scenario } from '../src/scenario/validate.js';
import { backends } from './helpers.js';

const probes = (lo: number, hi: number) =>
  [lo, hi, 0, 1, -1, 0.5, 1e-300, -1e-300]
    .flatMap((v) => [v, v + Math.abs(v) * 1e-12 + 1e-300, v - Math.abs(v) * 1e-12 - 1e-300])
    .filter(Number.isFinite);

describe('one table of ranges', () => {
  const ajv = new Ajv();
  it.each(Object.keys(RANGES) as RangeName[])(
    '%s: the JSON Schema and the constructor check accept the same numbers',
    (name) => {
      const valid = ajv.compile(schemaOf(name));
      for (const v of probes(RANGES[name].lo, RANGES[name].hi)) {
        let accepted = true;
        try {
          inRange(name, v);
        } catch {
          accepted = false;
        }
        expect(valid(v), `${name} = ${v}`).toBe(accepted);
      }
    },
  );

  it('boundary scenarios that validate are built by the model (alpha, diffusion, chemical, cfl, receptor K)', () => {
    const [be] = backends;
    const base = (patch: Record<string, unknown>): Scenario =>
      ({
        model: {
          type: 'keller-segel',
          grid: { n: [8] },
          alpha: 1.5,
          chemical: { type: 'elliptic' },
          chi: 1,
          initial: { rho: 1 },
          ...patch,
        },
        run: { tEnd: 1, dt: 0.1 },
      }) as Scenario;
    const patches = [
      { alpha: 2 },
      { alpha: 1e-9 },
      { diffusion: 1e-300 },
      { cfl: 0.5 },
      { cfl: 1e-9 },
      { chemical: { type: 'parabolic', D: 1e-300, mu: 0, beta: -3 } },
      { chi: { type: 'receptor', chi0: -2, K: 1e-300 } },
    ];
    for (const patch of patches)
      expect(
        () => buildModel(be, validateScenario(base(patch))).dispose(),
        JSON.stringify(patch),
      ).not.toThrow();
    for (const patch of [{ alpha: 2.0000001 }, { cfl: 0.5000001 }, { diffusion: 0 }]) {
      expect(() => validateScenario(base(patch))).toThrow();
      expect(() => buildModel(be, base(patch))).toThrow();
    }
  });
});
