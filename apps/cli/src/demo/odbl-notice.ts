/**
 * Written to the demo's folder beside what it derives from the bundled MIMIC-III demo: the
 * licence asks every Produced Work (a model's output included) used publicly to carry it.
 * The wording is the one data/mimic-iii-demo/README.md gives.
 */
export const ODBL_NOTICE = `# Data notice

The site data, generator, synthetic records and report in this folder were produced from the
MIMIC-III Clinical Database Demo v1.4 bundled with fedsynth (data/mimic-iii-demo/).

> Contains information from the MIMIC-III Clinical Database Demo (v1.4)
> (https://physionet.org/content/mimiciii-demo/1.4/), which is made available here under the
> Open Database License (ODbL) v1.0 (https://opendatacommons.org/licenses/odbl/1-0/).

Citation: Johnson, A., Pollard, T., & Mark, R. (2019). MIMIC-III Clinical Database Demo
(version 1.4). PhysioNet. https://doi.org/10.13026/C2HM2Q

ODbL's share-alike clause (section 4.4) applies to derivative databases used publicly: treat
a database of these synthetic records as a possible derivative database. See
data/mimic-iii-demo/README.md for the source, checksums and licence terms.
`;
