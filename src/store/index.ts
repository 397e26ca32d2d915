export {
  Datastore, DatastoreError, isDatastoreFile,
  type DatastoreDiff, type RunKind, type StatusChange, type RunRow, type RunStats, type RunStatus, type StoredToken,
} from './datastore.js';
