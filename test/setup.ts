// Runs in every test file's context: the temporary folders its tests made are removed after them.
import { afterAll } from 'vitest';
import { removeTempDirs } from './helpers/cli.js';

afterAll(() => removeTempDirs());
