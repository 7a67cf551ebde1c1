// The built-in scenario catalogue (catalogue.json: healthy tenants and one or more per diagnosis cause, with sources).
import catalogue from './catalogue.json';
import type { ScenarioInput } from './scenario';

/** A fresh copy of the catalogue, so that callers may adjust it (e.g. pin the clock) without touching the original. */
export const defaultScenario = (): ScenarioInput => structuredClone(catalogue) as ScenarioInput;
