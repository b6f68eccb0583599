import type { Config } from 'jest';

// One jest config, one project per app/lib. Tests import sibling workspaces from
// their TypeScript sources (no build needed); type checking is `npm run typecheck`.
const moduleNameMapper = {
  '^@fedsynth/gan$': '<rootDir>/../../libs/gan/src/index.ts',
  '^@fedsynth/protocol$': '<rootDir>/../../libs/protocol/src/index.ts',
  '^@fedsynth/site-agent$': '<rootDir>/../../apps/site-agent/src/index.ts',
  '^@fedsynth/coordinator$': '<rootDir>/../../apps/coordinator/src/index.ts',
};

const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/../../tsconfig.jest.json', diagnostics: false }],
};

function project(dir: string) {
  return {
    displayName: dir,
    rootDir: `${__dirname}/${dir}`,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.spec.ts'],
    moduleFileExtensions: ['ts', 'js', 'json'],
    moduleNameMapper,
    transform,
  };
}

const config: Config = {
  projects: ['libs/protocol', 'libs/gan', 'apps/site-agent', 'apps/coordinator', 'apps/cli'].map(project),
  testTimeout: 60_000,
};

export default config;
