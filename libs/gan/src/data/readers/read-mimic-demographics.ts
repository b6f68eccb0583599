import { checkFieldCount, findColumn, readCsvFile, requireColumn } from '../csv/read-csv-file';
import type { Demographics, RecordUnit } from '../dataset';
import { resolveTable } from './resolve-table';

/** Years between two MIMIC timestamps ('YYYY-MM-DD hh:mm:ss'); MIMIC shifts ages > 89 to ~300, so cap at 90. */
export function ageInYears(dob: string, at: string): number | null {
  const birth = Date.parse(dob.replace(' ', 'T') + (dob.length <= 10 ? 'T00:00:00Z' : 'Z'));
  const when = Date.parse(at.replace(' ', 'T') + (at.length <= 10 ? 'T00:00:00Z' : 'Z'));
  if (!Number.isFinite(birth) || !Number.isFinite(when) || when < birth) return null;
  const years = Math.floor((when - birth) / (365.2425 * 24 * 3600 * 1000));
  return Math.min(years, 90);
}

/**
 * Sex and age per record from PATIENTS (subject_id, gender, dob) and ADMISSIONS (subject_id,
 * hadm_id, admittime). Returns undefined when PATIENTS is absent: demographics are optional.
 */
export async function readDemographics(
  folder: string,
  unit: RecordUnit,
  recordIds: readonly string[],
): Promise<{ values: Demographics; files: string[] } | undefined> {
  const patientsFile = await resolveTable(folder, 'PATIENTS');
  if (!patientsFile) return undefined;
  const files = [patientsFile];
  const patients = new Map<string, { sex: string; dob: string }>();
  let width = 0;
  let subjectCol = -1;
  let genderCol = -1;
  let dobCol = -1;
  await readCsvFile(patientsFile, {
    header(fields) {
      width = fields.length;
      subjectCol = requireColumn(patientsFile, fields, 'subject_id');
      genderCol = requireColumn(patientsFile, fields, 'gender');
      dobCol = findColumn(fields, 'dob');
    },
    row(fields, line) {
      checkFieldCount(patientsFile, line, fields, width);
      patients.set(fields[subjectCol].trim(), { sex: fields[genderCol].trim().toUpperCase(), dob: dobCol >= 0 ? fields[dobCol].trim() : '' });
    },
  });

  // admission id → (subject, admit time); and each subject's first admit time
  const admissions = new Map<string, { subject: string; admit: string }>();
  const firstAdmit = new Map<string, string>();
  const admissionsFile = await resolveTable(folder, 'ADMISSIONS');
  if (admissionsFile) {
    files.push(admissionsFile);
    let aWidth = 0;
    let aSubject = -1;
    let aHadm = -1;
    let aTime = -1;
    await readCsvFile(admissionsFile, {
      header(fields) {
        aWidth = fields.length;
        aSubject = requireColumn(admissionsFile, fields, 'subject_id');
        aHadm = requireColumn(admissionsFile, fields, 'hadm_id');
        aTime = requireColumn(admissionsFile, fields, 'admittime');
      },
      row(fields, line) {
        checkFieldCount(admissionsFile, line, fields, aWidth);
        const subject = fields[aSubject].trim();
        const admit = fields[aTime].trim();
        admissions.set(fields[aHadm].trim(), { subject, admit });
        const seen = firstAdmit.get(subject);
        if (seen === undefined || admit < seen) firstAdmit.set(subject, admit); // ISO timestamps sort as strings
      },
    });
  }

  const sex: string[] = [];
  const age: (number | null)[] = [];
  for (const id of recordIds) {
    const subject = unit === 'patient' ? id : admissions.get(id)?.subject;
    const admit = unit === 'patient' ? firstAdmit.get(id) : admissions.get(id)?.admit;
    const patient = subject !== undefined ? patients.get(subject) : undefined;
    sex.push(patient?.sex ?? '');
    age.push(patient && patient.dob && admit ? ageInYears(patient.dob, admit) : null);
  }
  return { values: { sex, age }, files };
}
