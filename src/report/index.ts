export { toSarif, type SarifOptions } from './sarif.js';
export { toJson } from './json.js';
export { toCsv } from './csv.js';
export { toText, formatBytes, historyLine, scannedText, scoreLine, tierCounts } from './text.js';
