/**
 * YAML + JSON Schema → positioned problems (`file:line:column: field: message`, did-you-mean, type
 * names): what provider manifests, scenarios, profiles and load thresholds are read with.
 */
export { fieldName, fromJsonPointer, SourceMap, type PathSegment, type SourcePosition } from './positions.js';
export { display, formatProblem, Problems, sortProblems, type Problem } from './problems.js';
export { parseYaml, readYaml, type ReadYaml, type ReadYamlOptions } from './read.js';
export {
  compileSchema,
  explainSchemaErrors,
  type CompiledSchema,
  type Explain,
  type Explained,
  type SchemaError,
} from './schema.js';
export {
  didYouMean,
  hint,
  isObject,
  oneOf,
  quoteHint,
  show,
  suggestion,
  TYPE_NAMES,
  typeNames,
  valueAt,
} from './words.js';
