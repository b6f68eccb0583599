import type { PatientCodes } from './cohort-model';
import type { Icd9Entry } from './icd9';
import { formatDictionary, formatPatientRows } from './mimic-rows';
import type { PatientTimeline } from './patient-timeline';

const vocabulary: Icd9Entry[] = [
  { rowId: 4304, code: '4019', shortTitle: 'Hypertension NOS', longTitle: 'Unspecified essential hypertension' },
  { rowId: 4473, code: '42731', shortTitle: 'Atrial fibrillation', longTitle: 'Atrial fibrillation' },
  { rowId: 1, code: '01716', shortTitle: 'Erythem nod tb-oth test', longTitle: 'Erythema nodosum, tuberculosis' },
];

const day = (iso: string) => Date.parse(`${iso}Z`);

const timeline: PatientTimeline = {
  gender: 'F',
  dob: day('2094-03-05T00:00:00'),
  dod: day('2165-08-12T00:00:00'),
  diedInHospital: true,
  language: '',
  religion: 'CATHOLIC',
  maritalStatus: 'SEPARATED',
  ethnicity: 'BLACK/AFRICAN AMERICAN',
  admissions: [
    {
      type: 'EMERGENCY',
      admitTime: day('2164-10-23T21:09:00'),
      dischargeTime: day('2164-11-01T17:15:00'),
      edRegTime: day('2164-10-23T16:43:00'),
      edOutTime: day('2164-10-23T23:00:00'),
      admissionLocation: 'EMERGENCY ROOM ADMIT',
      dischargeLocation: 'HOME HEALTH CARE',
      insurance: 'Medicare',
    },
    {
      type: 'ELECTIVE',
      admitTime: day('2165-08-01T08:00:00'),
      dischargeTime: day('2165-08-12T10:30:00'),
      deathTime: day('2165-08-12T10:30:00'),
      admissionLocation: 'PHYS REFERRAL/NORMAL DELI',
      dischargeLocation: 'DEAD/EXPIRED',
      insurance: 'Medicare',
    },
  ],
};

describe('formatPatientRows', () => {
  const codes: PatientCodes = { codes: [0, 1, 2], admissions: [[1, 0], [2, 0]] };
  const rows = formatPatientRows(codes, timeline, vocabulary, {
    subjectId: 10006,
    hadmId: 142345,
    diagnosisRowId: 1,
    admissionRowId: 7,
    patientRowId: 3,
  });

  it('writes one diagnosis row per admission code, seq_num in order', () => {
    expect(rows.diagnoses).toBe(
      '1,10006,142345,1,42731\n2,10006,142345,2,4019\n3,10006,142346,1,01716\n4,10006,142346,2,4019\n',
    );
    expect(rows.diagnosisRows).toBe(4);
  });

  it('writes MIMIC-III admissions, quoting free text when needed', () => {
    expect(rows.admissions.split('\n')).toEqual([
      '7,10006,142345,2164-10-23 21:09:00,2164-11-01 17:15:00,,EMERGENCY,EMERGENCY ROOM ADMIT,HOME HEALTH CARE,Medicare,,CATHOLIC,SEPARATED,BLACK/AFRICAN AMERICAN,2164-10-23 16:43:00,2164-10-23 23:00:00,ATRIAL FIBRILLATION,0,1',
      '8,10006,142346,2165-08-01 08:00:00,2165-08-12 10:30:00,2165-08-12 10:30:00,ELECTIVE,PHYS REFERRAL/NORMAL DELI,DEAD/EXPIRED,Medicare,,CATHOLIC,SEPARATED,BLACK/AFRICAN AMERICAN,,,ERYTHEM NOD TB-OTH TEST,1,1',
      '',
    ]);
  });

  it('writes the patient with hospital death dates', () => {
    expect(rows.patient).toBe('3,10006,F,2094-03-05 00:00:00,2165-08-12 00:00:00,2165-08-12 00:00:00,,1\n');
  });

  it('advances every id', () => {
    expect(rows.next).toEqual({ subjectId: 10007, hadmId: 142347, diagnosisRowId: 5, admissionRowId: 9, patientRowId: 4 });
  });

  it('refuses code lists that do not match the admissions', () => {
    expect(() => formatPatientRows({ codes: [0], admissions: [[0]] }, timeline, vocabulary, rows.next)).toThrow('1 code lists for 2 admissions');
  });
});

describe('formatDictionary', () => {
  it('keeps source row ids and quotes titles with commas', () => {
    expect(formatDictionary(vocabulary)).toBe(
      'row_id,icd9_code,short_title,long_title\n' +
        '4304,4019,Hypertension NOS,Unspecified essential hypertension\n' +
        '4473,42731,Atrial fibrillation,Atrial fibrillation\n' +
        '1,01716,Erythem nod tb-oth test,"Erythema nodosum, tuberculosis"\n',
    );
  });
});
