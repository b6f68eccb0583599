import type { PatientCodes } from './cohort-model';
import { csvField, csvLine } from './csv-field';
import type { Icd9Entry } from './icd9';
import { formatMimicTime, type PatientTimeline } from './patient-timeline';

/**
 * Formats one simulated patient as MIMIC-III rows (lower-case headers, LF endings, no quotes
 * except where a free-text field needs them), so anything that reads the MIMIC-III demo
 * reads a simulated cohort unchanged.
 */

export const DIAGNOSES_HEADER = 'row_id,subject_id,hadm_id,seq_num,icd9_code\n';
export const ADMISSIONS_HEADER =
  'row_id,subject_id,hadm_id,admittime,dischtime,deathtime,admission_type,admission_location,discharge_location,' +
  'insurance,language,religion,marital_status,ethnicity,edregtime,edouttime,diagnosis,hospital_expire_flag,has_chartevents_data\n';
export const PATIENTS_HEADER = 'row_id,subject_id,gender,dob,dod,dod_hosp,dod_ssn,expire_flag\n';
export const DICTIONARY_HEADER = 'row_id,icd9_code,short_title,long_title\n';

/** Next free ids; every table numbers its row_id on its own, as MIMIC-III does. */
export interface RowIds {
  readonly subjectId: number;
  readonly hadmId: number;
  readonly diagnosisRowId: number;
  readonly admissionRowId: number;
  readonly patientRowId: number;
}

export interface PatientRows {
  readonly diagnoses: string;
  readonly admissions: string;
  readonly patient: string;
  readonly diagnosisRows: number;
  /** The ids after this patient's rows. */
  readonly next: RowIds;
}

const time = (ms: number | undefined): string => (ms === undefined ? '' : formatMimicTime(ms));

export function formatPatientRows(
  codes: PatientCodes,
  timeline: PatientTimeline,
  vocabulary: readonly Icd9Entry[],
  ids: RowIds,
): PatientRows {
  if (codes.admissions.length !== timeline.admissions.length) {
    throw new RangeError(`patient ${ids.subjectId}: ${codes.admissions.length} code lists for ${timeline.admissions.length} admissions`);
  }
  const subject = ids.subjectId;
  let diagnoses = '';
  let admissions = '';
  let diagnosisRowId = ids.diagnosisRowId;
  codes.admissions.forEach((list, a) => {
    const hadm = ids.hadmId + a;
    list.forEach((code, i) => {
      diagnoses += `${diagnosisRowId++},${subject},${hadm},${i + 1},${vocabulary[code].code}\n`;
    });
    const stay = timeline.admissions[a];
    admissions += csvLine([
      ids.admissionRowId + a,
      subject,
      hadm,
      time(stay.admitTime),
      time(stay.dischargeTime),
      time(stay.deathTime),
      stay.type,
      stay.admissionLocation,
      stay.dischargeLocation,
      stay.insurance,
      timeline.language,
      timeline.religion,
      timeline.maritalStatus,
      timeline.ethnicity,
      time(stay.edRegTime),
      time(stay.edOutTime),
      // MIMIC-III's admitting diagnosis is free text; the primary code's title stands in.
      vocabulary[list[0]].shortTitle.toUpperCase(),
      stay.deathTime === undefined ? 0 : 1,
      1,
    ]);
  });
  const dod = time(timeline.dod);
  const patient = [
    ids.patientRowId,
    subject,
    timeline.gender,
    time(timeline.dob),
    dod,
    timeline.diedInHospital ? dod : '',
    timeline.diedInHospital ? '' : dod,
    timeline.dod === undefined ? 0 : 1,
  ].join(',') + '\n';
  const admissionCount = codes.admissions.length;
  return {
    diagnoses,
    admissions,
    patient,
    diagnosisRows: diagnosisRowId - ids.diagnosisRowId,
    next: {
      subjectId: subject + 1,
      hadmId: ids.hadmId + admissionCount,
      diagnosisRowId,
      admissionRowId: ids.admissionRowId + admissionCount,
      patientRowId: ids.patientRowId + 1,
    },
  };
}

/** The dictionary rows for the vocabulary, keeping the source dictionary's row_id. */
export function formatDictionary(vocabulary: readonly Icd9Entry[]): string {
  let text = DICTIONARY_HEADER;
  for (const e of vocabulary) text += `${e.rowId},${csvField(e.code)},${csvField(e.shortTitle)},${csvField(e.longTitle)}\n`;
  return text;
}
