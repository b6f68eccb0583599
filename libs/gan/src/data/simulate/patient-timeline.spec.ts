import { createRng } from './prng';
import { formatMimicTime, samplePatientTimeline } from './patient-timeline';

const YEAR = 365.2425 * 86_400_000;

describe('formatMimicTime', () => {
  it('prints MIMIC-III timestamps', () => {
    expect(formatMimicTime(Date.UTC(2164, 9, 23, 21, 9))).toBe('2164-10-23 21:09:00');
    expect(formatMimicTime(Date.UTC(1850, 0, 2))).toBe('1850-01-02 00:00:00');
    expect(formatMimicTime(Date.UTC(2100, 1, 28, 23, 59, 59))).toBe('2100-02-28 23:59:59');
    expect(formatMimicTime(Date.UTC(2000, 1, 29, 12))).toBe('2000-02-29 12:00:00');
  });

  it('agrees with Date#toISOString from 1800 to 2300', () => {
    const rng = createRng(1);
    const start = Date.UTC(1800, 0, 1);
    const span = Date.UTC(2300, 0, 1) - start;
    const mismatches: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const ms = start + Math.floor(rng.next() * span / 1000) * 1000;
      const iso = new Date(ms).toISOString();
      const expected = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
      if (formatMimicTime(ms) !== expected) mismatches.push(`${ms}: ${formatMimicTime(ms)} ≠ ${expected}`);
    }
    expect(mismatches).toEqual([]);
  });
});

describe('samplePatientTimeline', () => {
  const rng = createRng(3);
  const patients = Array.from({ length: 3000 }, (_, i) => samplePatientTimeline(1 + (i % 3), 1, rng));

  it('gives ordered, non-overlapping stays in 2100–2210', () => {
    const problems: string[] = [];
    patients.forEach((p, i) => {
      let previous = -Infinity;
      for (const a of p.admissions) {
        if (!(a.admitTime > previous && a.dischargeTime > a.admitTime)) problems.push(`${i}: stays out of order`);
        if (a.edRegTime !== undefined && !(a.edRegTime < a.admitTime)) problems.push(`${i}: ED registration after admission`);
        previous = a.dischargeTime;
      }
      const first = new Date(p.admissions[0].admitTime).getUTCFullYear();
      if (first < 2100 || first > 2200) problems.push(`${i}: first admission in ${first}`);
      if (p.dod !== undefined && p.dod < Math.floor(p.admissions[p.admissions.length - 1].dischargeTime / 86_400_000) * 86_400_000) {
        problems.push(`${i}: died before discharge`);
      }
      const deaths = p.admissions.filter((a) => a.deathTime !== undefined).length;
      if (deaths !== (p.diedInHospital ? 1 : 0)) problems.push(`${i}: ${deaths} hospital deaths, diedInHospital ${p.diedInHospital}`);
    });
    expect(problems).toEqual([]);
  });

  it('gives adult ages, with 89+ shifted ~300 years back as in MIMIC-III', () => {
    const ages = patients.map((p) => (p.admissions[0].admitTime - p.dob) / YEAR);
    expect(ages.every((a) => a >= 18)).toBe(true);
    const shifted = ages.filter((a) => a > 250);
    expect(shifted.length).toBeGreaterThan(0);
    expect(shifted.length / ages.length).toBeLessThan(0.15);
    expect(shifted.every((a) => a >= 300 && a < 302)).toBe(true);
  });

  it('has mostly emergency admissions and about 10% hospital deaths', () => {
    const stays = patients.flatMap((p) => p.admissions);
    const emergency = stays.filter((a) => a.type === 'EMERGENCY').length / stays.length;
    expect(emergency).toBeGreaterThan(0.7);
    expect(emergency).toBeLessThan(0.9);
    const died = patients.filter((p) => p.diedInHospital).length / patients.length;
    expect(died).toBeGreaterThan(0.06);
    expect(died).toBeLessThan(0.14);
  });
});
