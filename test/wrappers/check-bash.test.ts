import { shellNamed } from './helpers.js';
import { defineCheckScenarios } from './scenarios.js';

defineCheckScenarios(shellNamed('bash'));
