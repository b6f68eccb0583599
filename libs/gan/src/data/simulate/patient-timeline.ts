import type { Rng } from './prng';

/**
 * Demographics and admission times for a simulated patient, shaped like MIMIC-III's shifted
 * dates: admissions fall in 2100–2200, patients 89 and over get a DOB ~300 years before their
 * first admission (MIMIC-III's de-identification quirk, which age calculations must survive),
 * and hospital deaths line up between ADMISSIONS and PATIENTS. None of this feeds the
 * diagnosis model; it exists so the tables are complete and plausible.
 */

export type AdmissionType = 'EMERGENCY' | 'ELECTIVE' | 'URGENT';

export interface AdmissionTimes {
  readonly type: AdmissionType;
  readonly admitTime: number;
  readonly dischargeTime: number;
  /** Set when the patient died in this stay (then equal to dischargeTime). */
  readonly deathTime?: number;
  /** Emergency-department registration and exit, for admissions through the ED. */
  readonly edRegTime?: number;
  readonly edOutTime?: number;
  readonly admissionLocation: string;
  readonly dischargeLocation: string;
  readonly insurance: string;
}

export interface PatientTimeline {
  readonly gender: 'F' | 'M';
  /** Milliseconds since the Unix epoch, UTC (like every time here). */
  readonly dob: number;
  readonly dod?: number;
  readonly diedInHospital: boolean;
  readonly language: string;
  readonly religion: string;
  readonly maritalStatus: string;
  readonly ethnicity: string;
  readonly admissions: readonly AdmissionTimes[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365.2425 * DAY;
const FIRST_ADMISSION_START = Date.UTC(2100, 0, 1);
const FIRST_ADMISSION_SPAN = Date.UTC(2200, 0, 1) - FIRST_ADMISSION_START;

/** Weighted categorical choice from [value, weight] pairs (weights need not sum to 1). */
function choose<T>(rng: Rng, options: readonly (readonly [T, number])[]): T {
  let total = 0;
  for (const [, w] of options) total += w;
  let u = rng.next() * total;
  for (const [value, w] of options) {
    u -= w;
    if (u < 0) return value;
  }
  return options[options.length - 1][0];
}

// Frequencies loosely follow MIMIC-III's adult admissions.
const ADMISSION_TYPES = [['EMERGENCY', 0.8], ['ELECTIVE', 0.16], ['URGENT', 0.04]] as const;
const EMERGENCY_LOCATIONS = [
  ['EMERGENCY ROOM ADMIT', 0.6], ['TRANSFER FROM HOSP/EXTRAM', 0.22], ['CLINIC REFERRAL/PREMATURE', 0.14], ['TRANSFER FROM SKILLED NUR', 0.04],
] as const;
const DISCHARGE_LOCATIONS = [
  ['HOME', 0.35], ['HOME HEALTH CARE', 0.26], ['SNF', 0.16], ['REHAB/DISTINCT PART HOSP', 0.12],
  ['LONG TERM CARE HOSPITAL', 0.04], ['SHORT TERM HOSPITAL', 0.03], ['HOSPICE-HOME', 0.02], ['LEFT AGAINST MEDICAL ADVI', 0.02],
] as const;
const LANGUAGES = [['ENGL', 0.6], ['', 0.33], ['SPAN', 0.03], ['RUSS', 0.02], ['PTUN', 0.01], ['CANT', 0.01]] as const;
const RELIGIONS = [
  ['CATHOLIC', 0.35], ['NOT SPECIFIED', 0.2], ['UNOBTAINABLE', 0.14], ['PROTESTANT QUAKER', 0.12], ['JEWISH', 0.09], ['OTHER', 0.05], ['EPISCOPALIAN', 0.02], ['', 0.03],
] as const;
const MARITAL = [['MARRIED', 0.47], ['SINGLE', 0.27], ['WIDOWED', 0.13], ['DIVORCED', 0.06], ['SEPARATED', 0.01], ['', 0.06]] as const;
const ETHNICITIES = [
  ['WHITE', 0.7], ['BLACK/AFRICAN AMERICAN', 0.09], ['UNKNOWN/NOT SPECIFIED', 0.08], ['HISPANIC OR LATINO', 0.03], ['ASIAN', 0.03], ['OTHER', 0.03], ['UNABLE TO OBTAIN', 0.02], ['PATIENT DECLINED TO ANSWER', 0.02],
] as const;

/** Rounds to the minute, as MIMIC-III times are (seconds are always :00). */
function minute(ms: number): number {
  return Math.round(ms / MINUTE) * MINUTE;
}

/**
 * Samples a patient with `admissionCount` stays. `burden` (codes relative to the cohort mean)
 * raises age and in-hospital mortality a little, so sicker records look sicker.
 */
export function samplePatientTimeline(admissionCount: number, burden: number, rng: Rng): PatientTimeline {
  const gender = rng.bernoulli(0.56) ? 'M' : 'F';
  const age = Math.max(18, Math.min(95, 62 + 4 * (burden - 1) + 17 * rng.normal()));
  const firstAdmit = minute(FIRST_ADMISSION_START + rng.next() * FIRST_ADMISSION_SPAN);
  let admit = firstAdmit;
  const shift = age >= 89 ? 300 * YEAR : age * YEAR;
  const dob = Math.floor((firstAdmit - shift - rng.next() * YEAR) / DAY) * DAY;

  const admissions: AdmissionTimes[] = [];
  let dod: number | undefined;
  let diedInHospital = false;
  const deathRisk = Math.min(0.4, 0.1 * burden);
  for (let a = 0; a < admissionCount; a++) {
    const type = choose(rng, ADMISSION_TYPES);
    const stayDays = 0.3 + rng.gamma(1.5, 6.5);
    const discharge = minute(admit + stayDays * DAY);
    const last = a === admissionCount - 1;
    const dies = last && rng.bernoulli(deathRisk);
    const viaEd = type === 'EMERGENCY' && rng.bernoulli(0.7);
    const edReg = viaEd ? minute(admit - (1 + rng.gamma(2, 2.5)) * HOUR) : undefined;
    const admissionLocation =
      type === 'ELECTIVE' ? 'PHYS REFERRAL/NORMAL DELI' : type === 'URGENT' ? 'TRANSFER FROM HOSP/EXTRAM' : viaEd ? 'EMERGENCY ROOM ADMIT' : choose(rng, EMERGENCY_LOCATIONS);
    const ageNow = age + (admit - firstAdmit) / YEAR;
    const insurance = ageNow >= 65
      ? choose(rng, [['Medicare', 0.85], ['Private', 0.12], ['Government', 0.03]] as const)
      : choose(rng, [['Private', 0.55], ['Medicaid', 0.2], ['Medicare', 0.12], ['Government', 0.08], ['Self Pay', 0.05]] as const);
    admissions.push({
      type,
      admitTime: admit,
      dischargeTime: discharge,
      deathTime: dies ? discharge : undefined,
      edRegTime: edReg,
      edOutTime: viaEd ? minute(admit + rng.next() * 2 * HOUR) : undefined,
      admissionLocation,
      dischargeLocation: dies ? 'DEAD/EXPIRED' : choose(rng, DISCHARGE_LOCATIONS),
      insurance,
    });
    if (dies) {
      dod = discharge;
      diedInHospital = true;
    }
    // Readmission after 1 week to ~3 years.
    admit = minute(discharge + (7 + rng.gamma(0.8, 300)) * DAY);
  }
  if (dod === undefined && rng.bernoulli(Math.min(0.5, 0.2 * burden))) {
    const lastDischarge = admissions[admissions.length - 1].dischargeTime;
    dod = lastDischarge + (1 + rng.gamma(0.7, 500)) * DAY;
  }
  return {
    gender,
    dob,
    dod: dod === undefined ? undefined : Math.floor(dod / DAY) * DAY,
    diedInHospital,
    language: choose(rng, LANGUAGES),
    religion: choose(rng, RELIGIONS),
    maritalStatus: choose(rng, MARITAL),
    ethnicity: choose(rng, ETHNICITIES),
    admissions,
  };
}

/**
 * MIMIC-III time text: `2164-10-23 21:09:00` (UTC, whole seconds). Integer civil-date
 * arithmetic (Hinnant's days-to-civil) instead of Date#toISOString, which was the largest
 * single cost of writing a MIMIC-scale cohort.
 */
export function formatMimicTime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86400);
  const secondOfDay = seconds - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay % 3600) / 60);
  const second = secondOfDay % 60;
  return `${year}-${two(month)}-${two(day)} ${two(hour)}:${two(minute)}:${two(second)}`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}
