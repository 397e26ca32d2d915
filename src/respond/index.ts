export { verifyCredentials, verifyOne, applyVerification, canVerify, type Credential, type RespondOptions, type VerifyResult } from './verify.js';
export { buildRequest, overrideFor, ruleFileKey, RequestNotBuilt, type EndpointOverrides, type BuiltRequest } from './http.js';
export { signAwsSigV4 } from './sigv4.js';
export { revokeBatches, revokeCredentials, previewRevocations, canRevoke, type RevokeBatch, type RevokeOutcome, type RevokePreview } from './revoke.js';
