// The oracle: a pure function from a plan and the environment's facts to what cert-manager, Vault and the
// API server will say. Each rule lives in its own file and cites the upstream source it was read from.
export { predict, predictStages, type StagePrediction } from './predict.ts';
export { renderExplanation, type ExplanationOptions } from './explain.ts';
