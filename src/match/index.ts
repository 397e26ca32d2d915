export { Matcher, DECODE_KEYWORDS, type MatchResult, type AllowedMatch } from './matcher.js';
export { findEncodedSpans, DECODE_TRIGGERS, type Encoding, type EncodedSpan } from './decode.js';
export { shannonEntropy, defaultMinEntropy } from './entropy.js';
export { isPlaceholder, isNonLiteralValue, isLockFile, ALLOW_MARKERS } from './filters.js';
export { prepareContent, type PreparedContent } from './content.js';
export { LineIndex } from './lines.js';
export { verifyChecksum, crc32, base62 } from './checksum.js';
export { checkRuleExamples, type ExampleFailure } from './examples.js';
export { findPemBlocks, PEM_TRIGGERS, type PemBlock, type PemForm } from './pem.js';
