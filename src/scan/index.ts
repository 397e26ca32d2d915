export { scanTree, defaultConcurrency, findingContextOptions, type TreeScanOptions } from './scan-tree.js';
export { loadConfig, findConfigFile, parseSize, emptyConfig, ConfigError, CONFIG_FILE_NAMES, type ShadowscanConfig } from './config.js';
export { fingerprintSecret, redactSecret, DEFAULT_FINGERPRINT_KEY } from './redact.js';
export { InventoryBuilder, controlsFor, TOOL_NAME } from './inventory.js';
export { FindingContext, type Finding, type FindingContextOptions } from './findings.js';
export { MatcherPool } from './pool.js';
